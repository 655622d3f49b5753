import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { ListContactsQuery, SameKeys } from '../../contract/api-types.js';
import { PageQueryDto } from '../../common/page.query.js';

export class ListContactsQueryDto extends PageQueryDto implements ListContactsQuery {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  externalId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  ownerId?: string;
}

export const listContactsQueryMatchesContract: SameKeys<ListContactsQueryDto, ListContactsQuery> = true;
