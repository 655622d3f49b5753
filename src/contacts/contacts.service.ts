import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type {
  Contact,
  ContactError,
  ContactPage,
  ContactResult,
  CreateContactsResponse,
  ListContactsQuery,
  SyncContactsResponse,
  SyncError,
  UpdateBatchResult,
  UpdateError,
} from '../contract/api-types.js';
import { CUSTOM_FIELD_LIMITS } from './contact-fields.js';
import { depthOf, hasEscapedLoneSurrogate, MAX_CUSTOM_DEPTH, mergePatch } from '../custom-fields/merge-patch.js';
import { matchInOrder, syncProperties, type SyncCandidate } from '../matching/sync.js';
import { type ContactChange, itemError, readContactChange } from './contact-changes.js';
import { CONTACT_MATCH_RULES, readSyncContact } from './contact-sync.js';
import type { ContactWrite, LockedContact } from './contacts.repository.js';
import { DomainError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { ContactsMetrics } from '../metrics/contacts-metrics.js';
import { UsersService } from '../users/users.service.js';
import { toContact } from './contact.mapper.js';
import { type NormalizedContact, normalizeContact } from './contact-input.js';
import { ContactsRepository } from './contacts.repository.js';

/** A batch answer, and whether any item went through (otherwise the status is 422). */
export interface BatchOutcome<T> {
  ok: boolean;
  body: T;
}

export interface CreateContactsOutcome {
  /** true when at least one item is stored (created now or already existing). */
  stored: boolean;
  body: CreateContactsResponse;
}

const DEFAULT_PAGE_SIZE = 50;

const encodeCursor = (crmId: string): string => Buffer.from(crmId, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const crmId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(crmId)) throw new DomainError('bad_request', 'cursor is not a cursor this service returned.');
  return crmId;
}

@Injectable()
export class ContactsService {
  constructor(
    @Inject(ContactsRepository) private readonly contacts: ContactsRepository,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ContactsMetrics) private readonly metrics: ContactsMetrics,
  ) {}

  /** Every item ends up exactly once in `results` (request order) or `errors` (by index). */
  async createContacts(body: unknown): Promise<CreateContactsOutcome> {
    const items = this.batchOf(body);
    const errors: ContactError[] = [];
    const valid: NormalizedContact[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = normalizeContact(item, index);
      if ('error' in outcome) errors.push(outcome.error);
      else valid.push(outcome.contact);
    }

    const owned = await this.withActiveOwners(valid, errors);
    // The same externalId twice in a batch is one contact: the first valid item is the one stored.
    const distinct = new Map<string, NormalizedContact>();
    for (const contact of owned) if (!distinct.has(contact.externalId)) distinct.set(contact.externalId, contact);
    const stored = await this.contacts.insertMissing([...distinct.values()], new Date());

    const results: ContactResult[] = owned.map(({ externalId }) => ({ externalId, ...stored.get(externalId)! }));
    errors.sort((a, b) => a.index - b.index);
    const answer: CreateContactsResponse = { results, errors };
    this.metrics.recordBatch(answer);
    return { stored: results.length > 0, body: answer };
  }

  /** Which leads are stored: one lookup per matching rule for the whole batch. Writes nothing. */
  async syncContacts(body: unknown): Promise<BatchOutcome<SyncContactsResponse>> {
    const items = this.batchOf(body);
    const errors: SyncError[] = [];
    const candidates: SyncCandidate<(typeof CONTACT_MATCH_RULES)[number]>[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = readSyncContact(item, index);
      if ('error' in outcome) errors.push(outcome.error);
      else candidates.push(outcome.candidate);
    }
    const names = this.config.syncProperties;
    const matches =
      candidates.length === 0
        ? []
        : await this.contacts.matchSession(names.length > 0, (lookup) => matchInOrder(candidates, CONTACT_MATCH_RULES, lookup));
    const results = matches.map(({ candidate, rule, record }) => ({
      externalId: candidate.externalId,
      crmId: record.crmId,
      matchedBy: rule,
      properties: syncProperties(record, names),
    }));
    return { ok: candidates.length > 0, body: { results, errors } };
  }

  /**
   * Partial merge of each item into the contact its crmId names. Owners: one query for the batch.
   * Then one transaction: one read of the named contacts (locked), and per round (the n-th item for
   * each crmId) two set-based statements. Every item is in `results`, in request order.
   */
  async updateContacts(body: unknown): Promise<BatchOutcome<UpdateBatchResult>> {
    const items = this.batchOf(body);
    const early: UpdateError[] = [];
    const changes: ContactChange[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = readContactChange(item, index);
      if ('error' in outcome) early.push(outcome.error);
      else changes.push(outcome.change);
    }
    const owned = await this.withActiveOwnersForUpdate(changes, early);
    let late: UpdateError[] = [];
    if (owned.length > 0) {
      await this.contacts.update(
        owned.map((change) => change.crmId),
        new Date(),
        (stored) => {
          late = [];
          return planRounds(owned, stored, late);
        },
      );
    }
    const errors = [...early, ...late].sort((a, b) => a.index - b.index);
    const failed = new Map(errors.map((error) => [error.index, error]));
    const crmIds = new Map(changes.map((change) => [change.index, change.crmId]));
    const results = items.map((_, index) => {
      const error = failed.get(index);
      return { crmId: error ? (error.crmId ?? null) : crmIds.get(index)!, success: !error };
    });
    return { ok: errors.length < items.length, body: { results, errors } };
  }

  private async withActiveOwnersForUpdate(changes: ContactChange[], errors: UpdateError[]): Promise<ContactChange[]> {
    const ownerIds = new Set(changes.flatMap((c) => (typeof c.fields.ownerId === 'string' ? [c.fields.ownerId] : [])));
    if (ownerIds.size === 0) return changes;
    const active = await this.users.activeIdsAmong([...ownerIds]);
    return changes.filter((change) => {
      const ownerId = change.fields.ownerId;
      if (typeof ownerId !== 'string' || active.has(ownerId)) return true;
      errors.push(itemError(change.index, change.crmId, 'UNKNOWN_OWNER', 'ownerId', 'ownerId names no active user (see GET /users).'));
      return false;
    });
  }

  private batchOf(body: unknown): unknown[] {
    const contacts = (body as { contacts?: unknown } | null)?.contacts;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(contacts)) {
      throw new DomainError('bad_request', 'The body must be a JSON object with a "contacts" array.');
    }
    if (contacts.length === 0) throw new DomainError('bad_request', '"contacts" is empty: send at least one contact.');
    if (contacts.length > this.config.maxBatchSize) {
      throw new DomainError(
        'payload_too_large',
        `A batch may hold at most ${this.config.maxBatchSize} contacts (got ${contacts.length}); split it.`,
      );
    }
    return contacts;
  }

  /**
   * Drops (and reports) the items whose ownerId names no active user; one query for the batch. An item
   * whose contact is already stored is kept: it will answer `existing`, as a re-sent batch must, even
   * when its owner was deactivated since the first send.
   */
  private async withActiveOwners(contacts: NormalizedContact[], errors: ContactError[]): Promise<NormalizedContact[]> {
    const ownerIds = new Set(contacts.flatMap((c) => (c.fields.ownerId === null ? [] : [c.fields.ownerId])));
    if (ownerIds.size === 0) return contacts;
    const active = await this.users.activeIdsAmong([...ownerIds]);
    const unowned = contacts.filter((c) => c.fields.ownerId !== null && !active.has(c.fields.ownerId));
    if (unowned.length === 0) return contacts;
    const stored = await this.contacts.storedExternalIds(unowned.map((c) => c.externalId));
    const rejected = new Set(unowned.filter((c) => !stored.has(c.externalId)));
    for (const contact of rejected) {
      errors.push({
        index: contact.index,
        externalId: contact.externalId,
        code: 'UNKNOWN_OWNER',
        field: 'ownerId',
        message: 'ownerId names no active user (see GET /users).',
      });
    }
    return contacts.filter((contact) => !rejected.has(contact));
  }


  async getContact(crmId: string): Promise<Contact> {
    const entity = await this.contacts.findByCrmId(crmId);
    if (!entity) throw new DomainError('not_found', 'No contact has this crmId.');
    return toContact(entity);
  }

  async listContacts(query: ListContactsQuery): Promise<ContactPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.contacts.list({
      externalId: query.externalId,
      emailLower: query.email?.toLowerCase(),
      ownerId: query.ownerId,
      beforeCrmId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return { data: page.map(toContact), nextCursor: more ? encodeCursor(page[page.length - 1].crmId) : null };
  }
}

/**
 * Checks each change against the stored contact (exists, same externalId, custom fields within the
 * limits once merged) and splits the good ones into rounds: round n holds the n-th change of each
 * contact, so that several items for one crmId apply in request order.
 */
function planRounds(changes: ContactChange[], stored: Map<string, LockedContact>, errors: UpdateError[]): ContactWrite[][] {
  const rounds: ContactWrite[][] = [];
  const seen = new Map<string, number>();
  const custom = new Map<string, unknown>();
  for (const change of changes) {
    const { index, crmId } = change;
    const contact = stored.get(crmId);
    if (!contact) {
      errors.push(itemError(index, crmId, 'NOT_FOUND', 'crmId', 'No contact has this crmId.'));
      continue;
    }
    if (change.externalId !== null && change.externalId !== contact.externalId) {
      errors.push(itemError(index, crmId, 'IMMUTABLE_FIELD', 'externalId', 'externalId cannot change: it differs from the stored one.'));
      continue;
    }
    if (change.patch !== null) {
      const outcome = mergeCustom(custom.has(crmId) ? custom.get(crmId) : contact.customFields, change.patch);
      if ('problem' in outcome) {
        const { code, field, message } = outcome.problem;
        errors.push(itemError(index, crmId, code, field, message));
        continue;
      }
      custom.set(crmId, outcome.merged);
    }
    const round = seen.get(crmId) ?? 0;
    seen.set(crmId, round + 1);
    (rounds[round] ??= []).push({ crmId, fields: change.fields, patch: change.patch });
  }
  return rounds;
}

interface CustomProblem {
  code: UpdateError['code'];
  field?: string;
  message: string;
}

/** The merged custom fields (parsed), or why the merge is refused. `current` is JSON text or a parsed value. */
function mergeCustom(current: unknown, patch: string): { merged: unknown } | { problem: CustomProblem } {
  if (typeof current === 'string' && hasEscapedLoneSurrogate(current)) {
    return { problem: { code: 'INVALID_FIELD', field: 'customFields', message: 'The stored custom fields hold text that is not valid Unicode; they cannot be merged.' } };
  }
  const base = typeof current === 'string' ? (JSON.parse(current) as unknown) : (current ?? {});
  const merged = mergePatch(base, JSON.parse(patch)) as Record<string, unknown>;
  if (Object.keys(merged).length > CUSTOM_FIELD_LIMITS.maxKeys) {
    return { problem: { code: 'TOO_MANY_CUSTOM_FIELDS', message: `Once merged, the contact would have more than ${CUSTOM_FIELD_LIMITS.maxKeys} custom fields.` } };
  }
  if (Buffer.byteLength(JSON.stringify(merged), 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes || depthOf(merged) > MAX_CUSTOM_DEPTH) {
    return {
      problem: {
        code: 'CUSTOM_FIELDS_TOO_LARGE',
        message: `Once merged, the custom fields would take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON or nest deeper than ${MAX_CUSTOM_DEPTH} levels.`,
      },
    };
  }
  return { merged };
}
