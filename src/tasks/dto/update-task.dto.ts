import { IsBoolean, IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import type { DocumentedKeys, SameKeys, UpdateTaskRequest } from '../../contract/api-types.js';
import { KeepsUnknownKeys } from '../../http/validation.js';
import { NOT_BLANK, SUBJECT_MAX_LENGTH, TaskFieldsDto } from './task-fields.dto.js';

type Documented = DocumentedKeys<UpdateTaskRequest>;

/** Absent is "leave as is"; `null` clears an optional field, and is not a value of `subject` or `completed`. */
const present = (property: keyof UpdateTaskDto) => ValidateIf((dto: UpdateTaskDto) => dto[property] !== undefined);

@KeepsUnknownKeys()
export class UpdateTaskDto extends TaskFieldsDto implements Documented {
  @present('subject')
  @IsString()
  @IsNotEmpty()
  @Matches(NOT_BLANK, { message: 'subject must not be blank' })
  @MaxLength(SUBJECT_MAX_LENGTH)
  subject?: string;

  @present('completed')
  @IsBoolean()
  completed?: boolean;
}

export const updateTaskDtoMatchesContract: SameKeys<UpdateTaskDto, Documented> = true;
