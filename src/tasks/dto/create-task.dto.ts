import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { CreateTaskRequest, DocumentedKeys, SameKeys } from '../../contract/api-types.js';
import { KeepsUnknownKeys } from '../../http/validation.js';
import { NOT_BLANK, SUBJECT_MAX_LENGTH, TaskFieldsDto } from './task-fields.dto.js';

type Documented = DocumentedKeys<CreateTaskRequest>;

@KeepsUnknownKeys()
export class CreateTaskDto extends TaskFieldsDto implements Documented {
  @IsString()
  @IsNotEmpty()
  @Matches(NOT_BLANK, { message: 'subject must not be blank' })
  @MaxLength(SUBJECT_MAX_LENGTH)
  subject: string;
}

export const createTaskDtoMatchesContract: SameKeys<CreateTaskDto, Documented> = true;
