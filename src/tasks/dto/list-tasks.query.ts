import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ListTasksQuery, SameKeys } from '../../contract/api-types.js';
import { IsIsoTime } from '../../common/iso-time.js';
import { PageQueryDto } from '../../common/page.query.js';

export class ListTasksQueryDto extends PageQueryDto implements ListTasksQuery {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ownerId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  contactId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  companyId?: string;

  /** `true` or `false` in the query string; anything else is left as is, for IsBoolean to refuse. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'completed must be true or false' })
  completed?: boolean;

  @IsOptional()
  @IsIsoTime()
  @MaxLength(64)
  dueBefore?: string;
}

export const listTasksQueryMatchesContract: SameKeys<ListTasksQueryDto, ListTasksQuery> = true;
