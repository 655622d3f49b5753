// Contacts on the batch engine (src/batch/): the record type, its owner rule and its derived column.
// Everything else (the input rules from ContactInput, storage by externalId) is the engine's.
import type { BatchDefinition } from '../batch/batch-engine.js';
import { UserEntity } from '../users/user.entity.js';
import { ContactEntity } from './contact.entity.js';

export const CONTACTS_BATCH: BatchDefinition<'UNKNOWN_OWNER'> = {
  listKey: 'contacts',
  noun: 'contact',
  itemSchema: 'ContactInput',
  entity: ContactEntity,
  idProperty: 'crmId',
  keyProperty: 'externalId',
  customFieldsProperty: 'customFields',
  createdAtProperty: 'createdAt',
  updatedAtProperty: 'updatedAt',
  // Matched case-insensitively by GET /contacts?email=: the lower-cased address has its own index.
  derived: [{ property: 'emailLower', from: (fields) => fields.email?.toLowerCase() ?? null }],
  // An item whose contact is already stored is answered `existing` whatever its owner: a re-sent batch
  // maps even when its owner was deactivated since the first send.
  references: [
    {
      field: 'ownerId',
      entity: UserEntity,
      idProperty: 'id',
      where: { property: 'active', value: true },
      code: 'UNKNOWN_OWNER',
      message: 'ownerId names no active user (see GET /users).',
    },
  ],
};
