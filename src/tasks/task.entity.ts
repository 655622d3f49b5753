import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('tasks')
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 500 })
  subject: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  type: string | null;

  @Index('ix_tasks_owner_id')
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId: string | null;

  @Index('ix_tasks_due_date')
  @Column({ name: 'due_date', type: 'datetime', precision: 3, nullable: true })
  dueDate: Date | null;

  @Index('ix_tasks_contact_id')
  @Column({ name: 'contact_id', type: 'varchar', length: 64, nullable: true })
  contactId: string | null;

  @Index('ix_tasks_company_id')
  @Column({ name: 'company_id', type: 'varchar', length: 64, nullable: true })
  companyId: string | null;

  @Column({ type: 'boolean' })
  completed: boolean;

  @Column({ name: 'completed_at', type: 'datetime', precision: 3, nullable: true })
  completedAt: Date | null;

  /** The undocumented keys, as the JSON text of an object. */
  @Column({ name: 'custom_fields', type: 'text', nullable: true })
  customFields: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
