import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CompanyEntity } from '../companies/company.entity.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { Database } from '../database/database.js';
import { UserEntity } from '../users/user.entity.js';

/** The CRM ids a record may point at. */
export interface References {
  contactId?: string | null;
  companyId?: string | null;
  ownerId?: string | null;
}

export type ReferenceField = keyof References;

export interface ReferenceRules {
  /** The owner must be an active user, not only a stored one. */
  activeOwner: boolean;
}

/** One table a reference field points at. */
interface Target {
  field: ReferenceField;
  entity: Function;
  idProperty: string;
}

const TARGETS: Target[] = [
  { field: 'contactId', entity: ContactEntity, idProperty: 'crmId' },
  { field: 'companyId', entity: CompanyEntity, idProperty: 'crmId' },
  { field: 'ownerId', entity: UserEntity, idProperty: 'id' },
];

/** Checks the references of one record in one query, whatever their number. */
@Injectable()
export class ReferencesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The fields (among those set) whose id names no stored record. */
  async missing(references: References, rules: ReferenceRules): Promise<ReferenceField[]> {
    const asked = TARGETS.filter((target) => typeof references[target.field] === 'string');
    if (asked.length === 0) return [];
    const found = await this.db.run('check references', (manager) => this.foundIn(manager, asked, references, rules));
    return asked.map((target) => target.field).filter((field) => !found.has(field));
  }

  private async foundIn(manager: EntityManager, asked: Target[], references: References, rules: ReferenceRules): Promise<Set<string>> {
    const { driver } = manager.connection;
    const parts: string[] = [];
    const values: unknown[] = [];
    for (const target of asked) {
      const metadata = manager.connection.getMetadata(target.entity);
      const idColumn = metadata.findColumnWithPropertyName(target.idProperty)!.databaseName;
      // A literal 1: better-sqlite3 binds no booleans, and both databases store them as 1.
      const active = target.field === 'ownerId' && rules.activeOwner ? ` AND ${driver.escape('active')} = 1` : '';
      parts.push(
        `SELECT '${target.field}' AS ${driver.escape('field')} FROM ${driver.escape(metadata.tableName)} WHERE ${driver.escape(idColumn)} = ?${active}`,
      );
      values.push(references[target.field]);
    }
    const rows = (await manager.query(parts.join(' UNION ALL '), values)) as { field: string }[];
    return new Set(rows.map((row) => row.field));
  }
}
