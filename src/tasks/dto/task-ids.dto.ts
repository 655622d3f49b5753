import { ArrayMinSize, IsArray, IsBoolean, IsUUID } from 'class-validator';
import type { CompleteTasksRequest, DocumentedKeys, SameKeys, TaskIdsRequest } from '../../contract/api-types.js';
import { KeepsUnknownKeys } from '../../http/validation.js';

/** Other keys are ignored, never a 400. The MAX_BATCH_SIZE bound (413) is the service's. */
@KeepsUnknownKeys()
export class TaskIdsDto implements DocumentedKeys<TaskIdsRequest> {
  @IsArray()
  @ArrayMinSize(1)
  @IsUUID('all', { each: true, message: 'each of ids must be a task id (a UUID)' })
  ids: string[];
}

@KeepsUnknownKeys()
export class CompleteTasksDto extends TaskIdsDto implements DocumentedKeys<CompleteTasksRequest> {
  @IsBoolean()
  completed: boolean;
}

export const taskIdsDtoMatchesContract: SameKeys<TaskIdsDto, DocumentedKeys<TaskIdsRequest>> = true;
export const completeTasksDtoMatchesContract: SameKeys<CompleteTasksDto, DocumentedKeys<CompleteTasksRequest>> = true;
