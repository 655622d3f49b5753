import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { CreateTaskRequest, DocumentedKeys, SameKeys } from '../../contract/api-types.js';
import { IsIsoTime } from '../../common/iso-time.js';
import { KeepsUnknownKeys } from '../../common/validation.js';

type Documented = DocumentedKeys<CreateTaskRequest>;

/** Optional fields take `null` as absent (IsOptional), as Enginy sends every field it has. */
@KeepsUnknownKeys()
export class CreateTaskDto implements Documented {
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'subject must not be blank' })
  @MaxLength(500)
  subject: string;

  @IsOptional()
  @IsString()
  @MaxLength(16000)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  ownerId?: string | null;

  @IsOptional()
  @IsIsoTime()
  @MaxLength(64)
  dueDate?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  contactId?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  companyId?: string | null;
}

export const createTaskDtoMatchesContract: SameKeys<CreateTaskDto, Documented> = true;
