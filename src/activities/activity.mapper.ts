import type { Activity, ActivityDirection, ActivityType } from '../contract/api-types.js';
import type { ActivityEntity } from './activity.entity.js';

const objectOf = (json: string | null): Record<string, unknown> => (json ? (JSON.parse(json) as Record<string, unknown>) : {});

export function toActivity(entity: ActivityEntity): Activity {
  return {
    id: entity.id,
    type: entity.type as ActivityType,
    direction: entity.direction as ActivityDirection,
    subject: entity.subject,
    body: entity.body,
    ownerId: entity.ownerId,
    occurredAt: new Date(entity.occurredAt).toISOString(),
    contactId: entity.contactId,
    companyId: entity.companyId,
    metadata: objectOf(entity.metadata),
    customFields: objectOf(entity.customFields),
    createdAt: new Date(entity.createdAt).toISOString(),
  };
}
