import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { ListCompaniesQuery, SameKeys } from '../../contract/api-types.js';
import { PageQueryDto } from '../../common/page.query.js';

export class ListCompaniesQueryDto extends PageQueryDto implements ListCompaniesQuery {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  externalId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  domain?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  ownerId?: string;
}

export const listCompaniesQueryMatchesContract: SameKeys<ListCompaniesQueryDto, ListCompaniesQuery> = true;
