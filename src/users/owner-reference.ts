// The rule an `ownerId` follows wherever a record carries one (contacts, companies; create and update):
// it names an active user of GET /users.
import type { BatchReference } from '../batch/batch-engine.js';
import { UserEntity } from './user.entity.js';

export const ACTIVE_OWNER: BatchReference<'UNKNOWN_OWNER'> = {
  field: 'ownerId',
  entity: UserEntity,
  idProperty: 'id',
  where: { property: 'active', value: true },
  code: 'UNKNOWN_OWNER',
  message: 'ownerId names no active user (see GET /users).',
};
