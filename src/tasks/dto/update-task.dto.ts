import { IsBoolean, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import type { DocumentedKeys, SameKeys, UpdateTaskRequest } from '../../contract/api-types.js';
import { IsIsoTime } from '../../common/iso-time.js';
import { KeepsUnknownKeys } from '../../common/validation.js';

type Documented = DocumentedKeys<UpdateTaskRequest>;

/** Absent is "leave as is"; `null` clears an optional field, and is not a value of `subject` or `completed`. */
const present = (property: keyof UpdateTaskDto) => ValidateIf((dto: UpdateTaskDto) => dto[property] !== undefined);

@KeepsUnknownKeys()
export class UpdateTaskDto implements Documented {
  @present('subject')
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'subject must not be blank' })
  @MaxLength(500)
  subject?: string;

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

  @present('completed')
  @IsBoolean()
  completed?: boolean;
}

export const updateTaskDtoMatchesContract: SameKeys<UpdateTaskDto, Documented> = true;
