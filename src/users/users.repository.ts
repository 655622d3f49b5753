import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, Repository } from 'typeorm';
import { DomainError } from '../errors/domain-error.js';
import { Database } from '../database/database.js';
import { isUniqueViolation } from '../database/database-errors.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  private withUsers<T>(what: string, work: (users: Repository<UserEntity>) => Promise<T>): Promise<T> {
    return this.db.run(what, (manager: EntityManager) => work(manager.getRepository(UserEntity)));
  }

  /** The first `limit` active users by name: the contract bounds the list (UserList maxItems). */
  listActive(limit: number): Promise<UserEntity[]> {
    return this.withUsers('list users', (users) =>
      users.find({ where: { active: true }, order: { name: 'ASC', id: 'ASC' }, take: limit }),
    );
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.withUsers('read a user', (users) => users.findOneBy({ id }));
  }

  /** Inserts or updates; the unique email index, not a prior check, decides conflicts. */
  async save(user: UserEntity): Promise<UserEntity> {
    try {
      return await this.withUsers('save a user', (users) => users.save(user));
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'Another user already has this email.');
      throw error;
    }
  }
}
