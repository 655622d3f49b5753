import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One Idempotency-Key of one API key: the request it was first used with, and that request's answer. */
@Entity('idempotency_keys')
@Index('uq_idempotency_keys_scope_key', ['scope', 'keyHash'], { unique: true })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The API key's scope (see KeyIdentity.scope): a key is only ever seen by the API key that sent it. */
  @Column({ type: 'varchar', length: 32 })
  scope: string;

  /** SHA-256 of the header's value, in hex: fixed length, compared exactly whatever the collation. */
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** SHA-256 of the method, path and canonical JSON body of the first request. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  /** The answer's status; null while the first request is still running. */
  @Column({ type: 'integer', nullable: true })
  status: number | null;

  /** The answer's body (JSON: LONGTEXT on MariaDB, JSON on MySQL, text on SQLite). */
  @Column({ type: 'json', nullable: true })
  response: object | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Index('ix_idempotency_keys_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
