import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Activity, ActivityPage, ListActivitiesQuery } from '../contract/api-types.js';
import { decodeKeyCursor, encodeKeyCursor } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import { isUuid, newId } from '../common/ids.js';
import { parseIsoTime } from '../common/iso-time.js';
import { DEFAULT_PAGE_SIZE } from '../common/cursor.js';
import { CUSTOM_FIELD_LIMITS } from '../batch/item-rules.js';
import { normalizeReference, ReferencesService } from '../references/references.service.js';
import { ActivitiesMetrics } from './activities.metrics.js';
import { ActivitiesRepository } from './activities.repository.js';
import { ActivityEntity } from './activity.entity.js';
import { toActivity } from './activity.mapper.js';
import type { CreateActivityDto } from './dto/create-activity.dto.js';

const MESSAGE_ID_MAX_LENGTH = 255;

export interface CreateActivityOutcome {
  /** false when the same message was already stored: nothing new was. */
  created: boolean;
  activity: Activity;
}

/** The lead an activity list belongs to. */
export type ActivityOwner = { contactId: string } | { companyId: string };

/** The metadata as JSON text, within the limits the contract sets; a 400 past them. */
function metadataJson(metadata: Record<string, unknown>): string {
  if (Object.keys(metadata).length > CUSTOM_FIELD_LIMITS.maxKeys) {
    throw new DomainError('bad_request', `metadata may hold at most ${CUSTOM_FIELD_LIMITS.maxKeys} keys.`);
  }
  const json = JSON.stringify(metadata);
  if (Buffer.byteLength(json, 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes) {
    throw new DomainError('bad_request', `metadata takes more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON.`);
  }
  return json;
}

/** metadata.messageId as text (a number is taken as its text), or null when there is none. */
function messageIdOf(metadata: Record<string, unknown>): string | null {
  const messageId = metadata.messageId;
  if (messageId === undefined || messageId === null) return null;
  if (typeof messageId === 'number' && Number.isFinite(messageId)) return String(messageId);
  if (typeof messageId === 'string' && messageId !== '' && [...messageId].length <= MESSAGE_ID_MAX_LENGTH) return messageId;
  throw new DomainError('bad_request', `metadata.messageId must be a number or a string of 1 to ${MESSAGE_ID_MAX_LENGTH} characters.`);
}

/** One message is one (messageId, type, direction); hashed, so that the index compares it exactly on every database. */
function messageKey(messageId: string, type: string, direction: string | null): string {
  return createHash('sha256').update(JSON.stringify([messageId, type, direction]), 'utf8').digest('hex');
}

const validCursor = ([at, id]: string[]): boolean => parseIsoTime(at) !== undefined && isUuid(id);

@Injectable()
export class ActivitiesService {
  constructor(
    @Inject(ActivitiesRepository) private readonly activities: ActivitiesRepository,
    @Inject(ReferencesService) private readonly references: ReferencesService,
    @Inject(ActivitiesMetrics) private readonly metrics: ActivitiesMetrics,
  ) {}

  async create(request: CreateActivityDto, customFields: string | null): Promise<CreateActivityOutcome> {
    const contactId = normalizeReference(request.contactId ?? null);
    const companyId = normalizeReference(request.companyId ?? null);
    const ownerId = normalizeReference(request.ownerId ?? null);
    if (contactId === null && companyId === null) {
      throw new DomainError('bad_request', 'An activity needs a contactId or a companyId: the lead it was sent to or received from.');
    }
    const metadata = request.metadata ?? {};
    const json = metadataJson(metadata);
    const messageId = messageIdOf(metadata);
    // A deactivated owner still names the user who sent the message: activities are history.
    await this.references.check({ contactId, companyId, ownerId }, { activeOwner: false });

    const now = new Date();
    const direction = request.direction ?? null;
    const entity = Object.assign(new ActivityEntity(), {
      id: newId(),
      type: request.type,
      direction,
      subject: request.subject ?? null,
      body: request.body ?? null,
      ownerId,
      occurredAt: request.occurredAt ? parseIsoTime(request.occurredAt)! : now,
      contactId,
      companyId,
      metadata: request.metadata ? json : null,
      customFields,
      messageKey: messageId === null ? null : messageKey(messageId, request.type, direction),
      createdAt: now,
    });
    const { activity, created } = await this.activities.insertOrFindMessage(entity);
    this.metrics.record(request.type, created ? 'created' : 'existing');
    return { created, activity: toActivity(activity) };
  }

  async get(id: string): Promise<Activity> {
    const entity = await this.activities.findById(id);
    if (!entity) throw new DomainError('not_found', 'No activity has this id.');
    return toActivity(entity);
  }

  /** Newest occurredAt first; a 404 when the lead itself is not stored. */
  async list(lead: ActivityOwner, query: ListActivitiesQuery): Promise<ActivityPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeKeyCursor(query.cursor, 2, validCursor);
    const rows = await this.activities.list({
      ...lead,
      after: after && { occurredAt: parseIsoTime(after[0])!, id: after[1] },
      limit: limit + 1,
    });
    // Activities only point at stored leads, and none is ever deleted: an empty page is the one to check.
    if (rows.length === 0 && (await this.references.missing(lead, { activeOwner: false })).length > 0) this.notFound(lead);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toActivity),
      nextCursor: rows.length > limit ? encodeKeyCursor([new Date(last.occurredAt).toISOString(), last.id]) : null,
    };
  }

  private notFound(lead: ActivityOwner): never {
    throw new DomainError('not_found', 'contactId' in lead ? 'No contact has this crmId.' : 'No company has this crmId.');
  }
}
