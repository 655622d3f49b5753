import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { isUniqueViolation } from '../database/database-errors.js';
import { ActivityEntity } from './activity.entity.js';

export interface ActivityListFilter {
  contactId?: string;
  companyId?: string;
  /** Only activities after this one in the list's order (newest occurredAt first, then newest id). */
  after?: { occurredAt: Date; id: string };
  limit: number;
}

@Injectable()
export class ActivitiesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Inserts the activity; when its message key is already stored (a re-sent message, or a concurrent
   * copy that won), answers the stored one instead. The unique index decides, not a read before.
   */
  async insertOrFindMessage(activity: ActivityEntity): Promise<{ activity: ActivityEntity; created: boolean }> {
    try {
      await this.db.run('store an activity', (manager) => manager.insert(ActivityEntity, activity));
      return { activity, created: true };
    } catch (error) {
      if (!isUniqueViolation(error) || activity.messageKey === null) throw error;
    }
    const stored = await this.db.run('read a re-sent activity', (manager) =>
      manager.findOneBy(ActivityEntity, { messageKey: activity.messageKey! }),
    );
    if (!stored) throw new Error('an activity refused as a duplicate message is not stored');
    return { activity: stored, created: false };
  }

  findById(id: string): Promise<ActivityEntity | null> {
    return this.db.run('read an activity', (manager) => manager.findOneBy(ActivityEntity, { id }));
  }

  list(filter: ActivityListFilter): Promise<ActivityEntity[]> {
    return this.db.run('list activities', (manager) => this.listIn(manager, filter));
  }

  private listIn(manager: EntityManager, filter: ActivityListFilter): Promise<ActivityEntity[]> {
    const query = manager.getRepository(ActivityEntity).createQueryBuilder('a');
    if (filter.contactId !== undefined) query.andWhere('a.contactId = :contactId', { contactId: filter.contactId });
    if (filter.companyId !== undefined) query.andWhere('a.companyId = :companyId', { companyId: filter.companyId });
    if (filter.after) {
      query.andWhere('(a.occurredAt < :at OR (a.occurredAt = :at AND a.id < :id))', { at: filter.after.occurredAt, id: filter.after.id });
    }
    return query.orderBy('a.occurredAt', 'DESC').addOrderBy('a.id', 'DESC').limit(filter.limit).getMany();
  }
}
