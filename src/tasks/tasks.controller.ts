import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import { customFieldsJson } from '../http/validation.js';
import type { Task, TaskPage } from '../contract/api-types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQueryDto } from './dto/list-tasks.query.js';
import { CompleteTasksDto, TaskIdsDto } from './dto/task-ids.dto.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { TasksService } from './tasks.service.js';

/** `tasks/batch` is declared before `tasks/:id`, so that "batch" is never taken for a task id. */
@Controller('tasks')
export class TasksController {
  constructor(@Inject(TasksService) private readonly tasks: TasksService) {}

  @Post('batch')
  @HttpCode(200)
  readTasks(@Body() body: TaskIdsDto): Promise<Task[]> {
    return this.tasks.readMany(body.ids);
  }

  @Patch('batch')
  completeTasks(@Body() body: CompleteTasksDto): Promise<Task[]> {
    return this.tasks.completeMany(body.ids, body.completed);
  }

  @Post()
  @HttpCode(201)
  @Idempotent()
  createTask(@Body() body: CreateTaskDto): Promise<Task> {
    return this.tasks.create(body, customFieldsJson(body));
  }

  @Get()
  listTasks(@Query() query: ListTasksQueryDto): Promise<TaskPage> {
    return this.tasks.list(query);
  }

  @Get(':id')
  getTask(@Param('id', ParseIdPipe) id: string): Promise<Task> {
    return this.tasks.get(id);
  }

  @Patch(':id')
  updateTask(@Param('id', ParseIdPipe) id: string, @Body() body: UpdateTaskDto): Promise<Task> {
    return this.tasks.update(id, body, customFieldsJson(body));
  }
}
