import { IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ActivityDirection, ActivityType, CreateActivityRequest, DocumentedKeys, SameKeys } from '../../contract/api-types.js';
import { IsIsoTime } from '../../common/iso-time.js';
import { KeepsUnknownKeys } from '../../http/validation.js';
import { ReferenceFieldsDto } from '../../references/reference-fields.dto.js';

type Documented = DocumentedKeys<CreateActivityRequest>;

export const ACTIVITY_TYPES = ['EMAIL', 'LINKEDIN', 'LINKEDIN_INMAIL', 'LINKEDIN_CONNECTION'] as const satisfies readonly ActivityType[];
export const ACTIVITY_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const satisfies readonly NonNullable<ActivityDirection>[];

/** Optional fields take `null` as absent (IsOptional), as Enginy sends every field it has. */
@KeepsUnknownKeys()
export class CreateActivityDto extends ReferenceFieldsDto implements Documented {
  @IsString()
  @IsIn(ACTIVITY_TYPES, { message: `type must be one of ${ACTIVITY_TYPES.join(', ')}` })
  type: ActivityType;

  @IsOptional()
  @IsString()
  @IsIn(ACTIVITY_DIRECTIONS, { message: `direction must be one of ${ACTIVITY_DIRECTIONS.join(', ')}` })
  direction?: ActivityDirection;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  subject?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(16000)
  body?: string | null;

  @IsOptional()
  @IsIsoTime()
  @MaxLength(64)
  occurredAt?: string | null;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;
}

export const createActivityDtoMatchesContract: SameKeys<CreateActivityDto, Documented> = true;
