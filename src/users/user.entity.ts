import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('users')
@Index('ix_users_active_name', ['active', 'name'])
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Lower-cased email; unique, so two users cannot share an address (NULLs do not collide). */
  @Index('uq_users_email_lower', { unique: true })
  @Column({ name: 'email_lower', type: 'varchar', length: 320, nullable: true })
  emailLower: string | null;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
