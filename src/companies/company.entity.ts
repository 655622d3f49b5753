import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('companies')
export class CompanyEntity {
  /** A UUIDv7 made by the service, as for contacts. */
  @PrimaryColumn({ name: 'crm_id', type: 'varchar', length: 36 })
  crmId: string;

  /** Enginy's company id, the key of idempotency: compared byte for byte on MySQL (see the migration). */
  @Index('uq_companies_external_id', { unique: true })
  @Column({ name: 'external_id', type: 'varchar', length: 255 })
  externalId: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  /** The domain as sent. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  domain: string | null;

  /** The bare host of `domain` (see normalizeDomain()), null when it has none; what matching compares. */
  @Index('ix_companies_domain_normalized')
  @Column({ name: 'domain_normalized', type: 'varchar', length: 255, nullable: true })
  domainNormalized: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  industry: string | null;

  @Column({ name: 'number_of_employees', type: 'int', nullable: true })
  numberOfEmployees: number | null;

  @Column({ name: 'linkedin_url', type: 'varchar', length: 1024, nullable: true })
  linkedinUrl: string | null;

  @Index('ix_companies_owner_id')
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  location: string | null;

  @Column({ name: 'founded_year', type: 'int', nullable: true })
  foundedYear: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  revenue: string | null;

  @Column({ name: 'company_type', type: 'varchar', length: 255, nullable: true })
  companyType: string | null;

  @Column({ name: 'technologies_used', type: 'text', nullable: true })
  technologiesUsed: string | null;

  @Column({ type: 'text', nullable: true })
  campaigns: string | null;

  @Column({ name: 'last_contacted_by', type: 'varchar', length: 255, nullable: true })
  lastContactedBy: string | null;

  @Column({ name: 'lead_countries', type: 'text', nullable: true })
  leadCountries: string | null;

  /** The undocumented keys, as the JSON text of an object. */
  @Column({ name: 'custom_fields', type: 'text', nullable: true })
  customFields: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
