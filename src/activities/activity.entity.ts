import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('activities')
@Index('ix_activities_contact', ['contactId', 'occurredAt', 'id'])
@Index('ix_activities_company', ['companyId', 'occurredAt', 'id'])
export class ActivityEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  direction: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  subject: string | null;

  /** As sent, HTML included; never rendered by this service. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ name: 'contact_id', type: 'varchar', length: 64, nullable: true })
  contactId: string | null;

  @Column({ name: 'company_id', type: 'varchar', length: 64, nullable: true })
  companyId: string | null;

  /** Enginy's metadata object, as JSON text. */
  @Column({ type: 'text', nullable: true })
  metadata: string | null;

  /** The undocumented keys, as the JSON text of an object. */
  @Column({ name: 'custom_fields', type: 'text', nullable: true })
  customFields: string | null;

  /**
   * SHA-256 (hex) of (metadata.messageId, type, direction) when there is a messageId: the unique index
   * makes a re-sent message one activity, concurrent copies included. NULLs never collide.
   */
  @Index('uq_activities_message_key', { unique: true })
  @Column({ name: 'message_key', type: 'varchar', length: 64, nullable: true })
  messageKey: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
