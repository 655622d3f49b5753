import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The references a record Enginy sends may carry; `null` is absent. Checked against storage by ReferencesService. */
export class ReferenceFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ownerId?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  contactId?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  companyId?: string | null;
}
