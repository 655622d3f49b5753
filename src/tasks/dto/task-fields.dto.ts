import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PATTERN_WORDS } from '../../http/dto-rules.js';
import { IsIsoTime } from '../../common/iso-time.js';
import { ReferenceFieldsDto } from '../../references/reference-fields.dto.js';

/** The optional fields of a task, as creation and update take them: `null` is absent, or clears. */
export class TaskFieldsDto extends ReferenceFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(16000)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string | null;

  @IsOptional()
  @IsIsoTime()
  @MaxLength(64)
  dueDate?: string | null;
}

/** A task's subject: up to 500 characters, not all of them blank (the contract's `pattern`). */
export const SUBJECT_MAX_LENGTH = 500;
export const NOT_BLANK = /\S/;
PATTERN_WORDS.set(NOT_BLANK.source, 'not blank');
