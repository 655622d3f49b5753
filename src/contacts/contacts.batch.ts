// Contacts on the batch engine (src/batch/): the record type, its owner rule and its derived column.
// Everything else (the input rules from ContactInput, storage by externalId) is the engine's.
import type { BatchDefinition } from '../batch/batch-engine.js';
import { linkedinKey } from '../matching/linkedin-url.js';
import { ACTIVE_OWNER } from '../users/owner-reference.js';
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
  // Matched case-insensitively by GET /contacts?email= and POST /contacts/sync: the lower-cased address has its own index.
  derived: [
    { property: 'emailLower', from: (fields) => fields.email?.toLowerCase() ?? null },
    // Matched by POST /contacts/sync: the LinkedIn URL's person key (src/matching/linkedin-url.ts).
    { property: 'linkedinNormalized', from: (fields) => linkedinKey(fields.linkedinUrl, 'person') },
  ],
  // An item whose contact is already stored is answered `existing` whatever its owner: a re-sent batch
  // maps even when its owner was deactivated since the first send.
  references: [ACTIVE_OWNER],
};
