import { Inject, Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Database } from '../database/database.js';
import { isUniqueViolation } from '../database/database-errors.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Inserts the row; false when the unique (scope, key) index already holds one. */
  async insert(row: IdempotencyKeyEntity): Promise<boolean> {
    try {
      await this.db.run('claim an idempotency key', (manager) => manager.insert(IdempotencyKeyEntity, row));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  find(scope: string, keyHash: string): Promise<IdempotencyKeyEntity | null> {
    return this.db.run('read an idempotency key', (manager) => manager.findOneBy(IdempotencyKeyEntity, { scope, keyHash }));
  }

  async complete(id: string, status: number, response: unknown): Promise<void> {
    await this.db.run('keep an idempotent answer', (manager) =>
      manager.update(IdempotencyKeyEntity, { id }, { status, response: response as object | null }),
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.run('release an idempotency key', (manager) => manager.delete(IdempotencyKeyEntity, { id }));
  }

  async removeExpired(now: Date): Promise<void> {
    await this.db.run('forget expired idempotency keys', (manager) => manager.delete(IdempotencyKeyEntity, { expiresAt: LessThan(now) }));
  }
}
