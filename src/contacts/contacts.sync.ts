// Contacts on the sync and update path (src/sync/): the matching rules and their keys, the columns
// derived from documented fields, and the owner rule (the create path's, CONTACTS_BATCH).
import type { ContactMatchRule } from '../contract/api-types.js';
import { linkedinKey } from '../matching/linkedin-url.js';
import type { SyncDefinition } from '../sync/record-sync.js';
import { ContactEntity } from './contact.entity.js';
import { ACTIVE_OWNER } from '../users/owner-reference.js';

export const CONTACTS_SYNC: SyncDefinition<ContactMatchRule> = {
  listKey: 'contacts',
  noun: 'contact',
  syncSchema: 'SyncContactInput',
  updateSchema: 'UpdateContactInput',
  table: {
    entity: ContactEntity,
    name: 'contacts',
    matchProperties: { externalId: 'externalId', email: 'emailLower', linkedinUrl: 'linkedinNormalized' },
  },
  // First hit wins, in this order.
  rules: ['externalId', 'email', 'linkedinUrl'],
  keysOf: (fields) => ({
    externalId: fields.externalId ?? null,
    email: fields.email?.toLowerCase() ?? null,
    linkedinUrl: linkedinKey(fields.linkedinUrl, 'person'),
  }),
  derived: [
    { property: 'emailLower', source: 'email', from: (email) => email?.toLowerCase() ?? null },
    { property: 'linkedinNormalized', source: 'linkedinUrl', from: (url) => linkedinKey(url, 'person') },
  ],
  references: [ACTIVE_OWNER],
};
