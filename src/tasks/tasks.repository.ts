import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { Database } from '../database/database.js';
import { TaskEntity } from './task.entity.js';

/** Columns a PATCH may set directly. */
export type TaskChanges = Partial<Pick<TaskEntity, 'subject' | 'description' | 'type' | 'ownerId' | 'dueDate' | 'contactId' | 'companyId' | 'customFields'>>;

export interface TaskFilter {
  ownerId?: string;
  contactId?: string;
  companyId?: string;
  completed?: boolean;
  dueBefore?: Date;
  /** Only tasks older than this id (time-ordered ids make it a cursor). */
  beforeId?: string;
  limit: number;
}

@Injectable()
export class TasksRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(task: TaskEntity): Promise<TaskEntity> {
    await this.db.run('store a task', (manager) => manager.insert(TaskEntity, task));
    return task;
  }

  findById(id: string): Promise<TaskEntity | null> {
    return this.db.run('read a task', (manager) => manager.findOneBy(TaskEntity, { id }));
  }

  findByIds(ids: string[]): Promise<TaskEntity[]> {
    return this.db.run('read tasks', (manager) => manager.findBy(TaskEntity, { id: In(ids) }));
  }

  /**
   * One UPDATE for every task of `ids`: the changes, and `completed` when set. Completing keeps the
   * completedAt of a task already completed (COALESCE in the statement, not a read before it);
   * reopening clears it.
   */
  async update(ids: string[], changes: TaskChanges, completed: boolean | undefined, now: Date): Promise<void> {
    await this.db.run('update tasks', (manager) => this.updateIn(manager, ids, changes, completed, now));
  }

  private async updateIn(manager: EntityManager, ids: string[], changes: TaskChanges, completed: boolean | undefined, now: Date): Promise<void> {
    const completedAt = manager.connection.getMetadata(TaskEntity).findColumnWithPropertyName('completedAt')!.databaseName;
    const set: Record<string, unknown> = { ...changes, updatedAt: now };
    if (completed === true) {
      set.completed = true;
      set.completedAt = () => `COALESCE(${manager.connection.driver.escape(completedAt)}, :now)`;
    } else if (completed === false) {
      set.completed = false;
      set.completedAt = null;
    }
    await manager
      .createQueryBuilder()
      .update(TaskEntity)
      .set(set)
      .where('id IN (:...ids)', { ids })
      .setParameter('now', now)
      .execute();
  }

  list(filter: TaskFilter): Promise<TaskEntity[]> {
    return this.db.run('list tasks', (manager) => {
      const query = manager.getRepository(TaskEntity).createQueryBuilder('t');
      if (filter.ownerId !== undefined) query.andWhere('t.ownerId = :ownerId', { ownerId: filter.ownerId });
      if (filter.contactId !== undefined) query.andWhere('t.contactId = :contactId', { contactId: filter.contactId });
      if (filter.companyId !== undefined) query.andWhere('t.companyId = :companyId', { companyId: filter.companyId });
      if (filter.completed !== undefined) query.andWhere('t.completed = :completed', { completed: filter.completed });
      if (filter.dueBefore !== undefined) query.andWhere('t.dueDate < :dueBefore', { dueBefore: filter.dueBefore });
      if (filter.beforeId !== undefined) query.andWhere('t.id < :before', { before: filter.beforeId });
      return query.orderBy('t.id', 'DESC').limit(filter.limit).getMany();
    });
  }
}
