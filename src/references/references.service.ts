import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { isUuid } from '../common/ids.js';
import { type ReferenceField, type ReferenceRules, type References, ReferencesRepository } from './references.repository.js';

const WHAT: Record<ReferenceField, string> = {
  contactId: 'contactId names no stored contact',
  companyId: 'companyId names no stored company',
  ownerId: 'ownerId names no user',
};

/** Ids this service made are lower-case UUIDs: an upper-case copy names the same record on every database. */
export function normalizeReference<T extends string | null | undefined>(id: T): T {
  return (typeof id === 'string' && isUuid(id) ? id.toLowerCase() : id) as T;
}

@Injectable()
export class ReferencesService {
  constructor(@Inject(ReferencesRepository) private readonly references: ReferencesRepository) {}

  /** The fields (among those set) whose id names no stored record. */
  missing(references: References, rules: ReferenceRules): Promise<ReferenceField[]> {
    return this.references.missing(references, rules);
  }

  /** A 422 naming every reference that names nothing stored; nothing is stored by the caller then. */
  async check(references: References, rules: ReferenceRules): Promise<void> {
    const missing = await this.references.missing(references, rules);
    if (missing.length === 0) return;
    const owner = rules.activeOwner ? 'ownerId names no active user' : WHAT.ownerId;
    const reasons = missing.map((field) => (field === 'ownerId' ? owner : WHAT[field]));
    throw new DomainError('unprocessable_entity', `${reasons.join('; ')}.`);
  }
}
