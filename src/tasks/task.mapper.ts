import type { Task } from '../contract/api-types.js';
import type { TaskEntity } from './task.entity.js';

const isoOrNull = (date: Date | null): string | null => (date === null ? null : new Date(date).toISOString());

export function toTask(entity: TaskEntity): Task {
  return {
    id: entity.id,
    subject: entity.subject,
    description: entity.description,
    type: entity.type,
    ownerId: entity.ownerId,
    dueDate: isoOrNull(entity.dueDate),
    contactId: entity.contactId,
    companyId: entity.companyId,
    completed: Boolean(entity.completed),
    completedAt: isoOrNull(entity.completedAt),
    customFields: entity.customFields ? (JSON.parse(entity.customFields) as Record<string, unknown>) : {},
    createdAt: new Date(entity.createdAt).toISOString(),
    updatedAt: new Date(entity.updatedAt).toISOString(),
  };
}
