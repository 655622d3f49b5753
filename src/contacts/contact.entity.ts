import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('contacts')
/** crm_id alone, for the checks that a contact exists: see migration 1764900000000. */
@Index('uq_contacts_crm_id', ['crmId'], { unique: true })
export class ContactEntity {
  @PrimaryColumn({ name: 'crm_id', type: 'varchar', length: 36 })
  crmId: string;

  @Index('uq_contacts_external_id', { unique: true })
  @Column({ name: 'external_id', type: 'varchar', length: 255 })
  externalId: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Index('ix_contacts_email_lower')
  @Column({ name: 'email_lower', type: 'varchar', length: 320, nullable: true })
  emailLower: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  company: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title: string | null;

  @Column({ name: 'linkedin_url', type: 'varchar', length: 1024, nullable: true })
  linkedinUrl: string | null;

  /** linkedinKey(linkedinUrl, 'person'): what POST /contacts/sync compares. */
  @Index('ix_contacts_linkedin_normalized')
  @Column({ name: 'linkedin_normalized', type: 'varchar', length: 255, nullable: true })
  linkedinNormalized: string | null;

  @Index('ix_contacts_owner_id')
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  location: string | null;

  @Column({ name: 'lead_country', type: 'varchar', length: 255, nullable: true })
  leadCountry: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  industry: string | null;

  @Column({ name: 'company_size', type: 'varchar', length: 255, nullable: true })
  companySize: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  domain: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'email_verification_status', type: 'varchar', length: 255, nullable: true })
  emailVerificationStatus: string | null;

  @Column({ type: 'text', nullable: true })
  campaigns: string | null;

  @Column({ name: 'last_contacted_by', type: 'varchar', length: 255, nullable: true })
  lastContactedBy: string | null;

  @Column({ name: 'conversation_tags', type: 'text', nullable: true })
  conversationTags: string | null;

  @Column({ type: 'text', nullable: true })
  enrichments: string | null;

  /** The undocumented keys, as the JSON text of an object. */
  @Column({ name: 'custom_fields', type: 'text', nullable: true })
  customFields: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
