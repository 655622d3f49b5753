import { Inject, Injectable } from '@nestjs/common';
import { CustomFieldsProblem, customFieldsOf } from '../batch/item-rules.js';
import { AppConfig } from '../config/app-config.js';
import type { ListTasksQuery, Task, TaskPage } from '../contract/api-types.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import { isUuid, newId } from '../common/ids.js';
import { parseIsoTime } from '../common/iso-time.js';
import { DEFAULT_PAGE_SIZE } from '../common/cursor.js';
import { normalizeReference, ReferencesService } from '../references/references.service.js';
import type { CreateTaskDto } from './dto/create-task.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { TaskEntity } from './task.entity.js';
import { toTask } from './task.mapper.js';
import type { TaskChanges } from './tasks.repository.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksMetrics } from './tasks.metrics.js';

const NO_DOCUMENTED_KEYS: ReadonlySet<string> = new Set();

/** A new task names an owner who can still act on it. */
const RULES = { activeOwner: true };

const timeOrNull = (value: string | null | undefined): Date | null => (value ? parseIsoTime(value)! : null);

@Injectable()
export class TasksService {
  constructor(
    @Inject(TasksRepository) private readonly tasks: TasksRepository,
    @Inject(ReferencesService) private readonly references: ReferencesService,
    @Inject(TasksMetrics) private readonly metrics: TasksMetrics,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async create(request: CreateTaskDto, customFields: string | null): Promise<Task> {
    const references = {
      contactId: normalizeReference(request.contactId ?? null),
      companyId: normalizeReference(request.companyId ?? null),
      ownerId: normalizeReference(request.ownerId ?? null),
    };
    await this.references.check(references, RULES);
    const now = new Date();
    const task = Object.assign(new TaskEntity(), {
      id: newId(),
      subject: request.subject,
      description: request.description ?? null,
      type: request.type ?? null,
      dueDate: timeOrNull(request.dueDate),
      ...references,
      completed: false,
      completedAt: null,
      customFields,
      createdAt: now,
      updatedAt: now,
    });
    const stored = await this.tasks.insert(task);
    this.metrics.record('created');
    return toTask(stored);
  }

  async get(id: string): Promise<Task> {
    return toTask(await this.find(id));
  }

  /** A partial update in one statement; unknown keys are merged into the custom fields. */
  async update(id: string, change: UpdateTaskDto, customFields: string | null): Promise<Task> {
    const task = await this.find(id);
    const changes: TaskChanges = {};
    if (change.subject !== undefined) changes.subject = change.subject;
    if (change.description !== undefined) changes.description = change.description;
    if (change.type !== undefined) changes.type = change.type;
    if (change.dueDate !== undefined) changes.dueDate = timeOrNull(change.dueDate);
    for (const field of ['contactId', 'companyId', 'ownerId'] as const) {
      if (change[field] !== undefined) changes[field] = normalizeReference(change[field]);
    }
    await this.references.check({ contactId: changes.contactId, companyId: changes.companyId, ownerId: changes.ownerId }, RULES);
    if (customFields !== null) {
      const merged = { ...(task.customFields ? (JSON.parse(task.customFields) as object) : {}), ...(JSON.parse(customFields) as object) };
      // The merge must stay within the limits a task was created under.
      const json = customFieldsOf(merged, NO_DOCUMENTED_KEYS, 'task');
      if (json instanceof CustomFieldsProblem) throw new DomainError('bad_request', json.message);
      changes.customFields = json;
    }
    const now = new Date();
    await this.tasks.update([task.id], changes, change.completed, now);
    const updated = toTask(await this.find(task.id));
    this.recordCompletion(change.completed, [updated], now);
    return updated;
  }

  /** The tasks found, in the order asked, each once. */
  async readMany(ids: string[]): Promise<Task[]> {
    const wanted = this.distinctIds(ids);
    return this.inOrder(wanted, await this.tasks.findByIds(wanted));
  }

  /** Completes or reopens every task of `ids` in one statement; answers them in the order asked. */
  async completeMany(ids: string[], completed: boolean): Promise<Task[]> {
    const wanted = this.distinctIds(ids);
    const now = new Date();
    await this.tasks.update(wanted, {}, completed, now);
    const updated = this.inOrder(wanted, await this.tasks.findByIds(wanted));
    this.recordCompletion(completed, updated, now);
    return updated;
  }

  async list(query: ListTasksQuery): Promise<TaskPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.tasks.list({
      ownerId: normalizeReference(query.ownerId),
      contactId: normalizeReference(query.contactId),
      companyId: normalizeReference(query.companyId),
      completed: query.completed,
      dueBefore: query.dueBefore === undefined ? undefined : parseIsoTime(query.dueBefore),
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { data: page.map(toTask), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null };
  }

  private async find(id: string): Promise<TaskEntity> {
    const task = await this.tasks.findById(id);
    if (!task) throw new DomainError('not_found', 'No task has this id.');
    return task;
  }

  /** Within MAX_BATCH_SIZE (413 beyond, repeats counted: the contract bounds the array), lower-cased, each once. */
  private distinctIds(ids: string[]): string[] {
    if (ids.length > this.config.maxBatchSize) {
      throw new DomainError('payload_too_large', `A batch may name at most ${this.config.maxBatchSize} tasks (got ${ids.length}); split it.`);
    }
    return [...new Set(ids.map((id) => id.toLowerCase()))];
  }

  private inOrder(ids: string[], found: TaskEntity[]): Task[] {
    const byId = new Map(found.map((task) => [task.id, task]));
    return ids.flatMap((id) => {
      const task = byId.get(id);
      return task ? [toTask(task)] : [];
    });
  }

  /** Completed now (not before) or reopened: what the metrics count. */
  private recordCompletion(completed: boolean | undefined, tasks: Task[], now: Date): void {
    if (completed === true) this.metrics.record('completed', tasks.filter((task) => task.completedAt === now.toISOString()).length);
    if (completed === false) this.metrics.record('reopened', tasks.length);
  }
}
