import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { LinkedPageQuery, SameKeys } from '../contract/api-types.js';

/** `limit` and `cursor` of a cursor list (the spec's Limit and Cursor parameters). */
export class PageQueryDto implements LinkedPageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export const pageQueryMatchesContract: SameKeys<PageQueryDto, LinkedPageQuery> = true;
