import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One link between a contact and a company. The primary key (contact, company) makes a pair one row
 * and serves "the companies of a contact"; the index on company_crm_id serves "the contacts of a
 * company" (InnoDB appends the primary key to it, so it is ordered by contact too). No foreign keys:
 * the statement that links a batch joins both sides itself (AssociationsRepository.linkStored), and a
 * row per pair keeps batches cheap.
 */
@Entity('contact_companies')
@Index('ix_contact_companies_company', ['companyCrmId'])
export class ContactCompanyEntity {
  @PrimaryColumn({ name: 'contact_crm_id', type: 'varchar', length: 36 })
  contactCrmId: string;

  @PrimaryColumn({ name: 'company_crm_id', type: 'varchar', length: 36 })
  companyCrmId: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
