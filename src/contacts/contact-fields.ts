// The documented contact fields, their column names and length bounds: one table that the entity,
// the validator and the mapper read. A test checks that it matches ContactInput in the spec.
export const CONTACT_TEXT_FIELDS = [
  { field: 'email', column: 'email', maxLength: 320 },
  { field: 'firstName', column: 'first_name', maxLength: 255 },
  { field: 'lastName', column: 'last_name', maxLength: 255 },
  { field: 'phone', column: 'phone', maxLength: 64 },
  { field: 'company', column: 'company', maxLength: 255 },
  { field: 'title', column: 'title', maxLength: 255 },
  { field: 'linkedinUrl', column: 'linkedin_url', maxLength: 1024 },
  { field: 'ownerId', column: 'owner_id', maxLength: 64 },
  { field: 'location', column: 'location', maxLength: 255 },
  { field: 'leadCountry', column: 'lead_country', maxLength: 255 },
  { field: 'industry', column: 'industry', maxLength: 255 },
  { field: 'companySize', column: 'company_size', maxLength: 255 },
  { field: 'domain', column: 'domain', maxLength: 255 },
  { field: 'description', column: 'description', maxLength: 16000 },
  { field: 'emailVerificationStatus', column: 'email_verification_status', maxLength: 255 },
  { field: 'campaigns', column: 'campaigns', maxLength: 4000 },
  { field: 'lastContactedBy', column: 'last_contacted_by', maxLength: 255 },
  { field: 'conversationTags', column: 'conversation_tags', maxLength: 4000 },
  { field: 'enrichments', column: 'enrichments', maxLength: 4000 },
] as const;

export type ContactTextField = (typeof CONTACT_TEXT_FIELDS)[number]['field'];

export const EXTERNAL_ID_MAX_LENGTH = 255;

/** Longer bounds than this go to TEXT columns (MySQL's row size limit counts 4 bytes a character). */
export const VARCHAR_MAX = 1024;

/** Custom (undocumented) fields: limits per contact, documented in the spec. */
export const CUSTOM_FIELD_LIMITS = { maxKeys: 100, maxKeyLength: 100, maxBytes: 16384 } as const;

/** Keys that could reach an object's prototype: dropped, never stored. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
