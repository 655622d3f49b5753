import { type ArgumentMetadata, type Type, ValidationError, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { CustomFieldsProblem, customFieldsOf } from '../batch/item-rules.js';
import { DomainError } from '../errors/domain-error.js';
import { hasLoneSurrogate } from '../common/unicode.js';
import { describeRule, dtoRules, type FieldRule } from './dto-rules.js';

const KEEPS_UNKNOWN_KEYS = Symbol('keepsUnknownKeys');
const UNKNOWN_KEYS = Symbol('unknownKeys');

/**
 * Marks a DTO of a body Enginy sends (`additionalProperties: true` in the contract): undocumented keys
 * are never a 400. Its documented keys are validated as usual; the others are set aside, checked against
 * the custom-field limits, and read with customFieldsJson().
 */
export function KeepsUnknownKeys(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(KEEPS_UNKNOWN_KEYS, true, target);
  };
}

/** Whether a DTO class (or one it extends) is marked @KeepsUnknownKeys(). */
export function keepsUnknownKeys(dto: Function): boolean {
  return Reflect.getMetadata(KEEPS_UNKNOWN_KEYS, dto) === true;
}

/**
 * The undocumented keys of a body validated into a @KeepsUnknownKeys() DTO, as the JSON text of an
 * object (null when there are none): custom fields, within the limits contacts have.
 */
export function customFieldsJson(dto: object): string | null {
  return (dto as { [UNKNOWN_KEYS]?: string | null })[UNKNOWN_KEYS] ?? null;
}

/** The keys of `raw` that validation dropped from `dto`, as custom fields' JSON; a 400 past their limits. */
function setAsideUnknownKeys(raw: Record<string, unknown>, dto: object): string | null {
  const documented = new Set(Object.keys(raw).filter((key) => Object.prototype.hasOwnProperty.call(dto, key)));
  const custom = customFieldsOf(raw, documented, 'body');
  if (custom instanceof CustomFieldsProblem) throw new DomainError('bad_request', custom.message);
  return custom;
}

/** DTO fields are all scalars; anything nested deeper than this is not a DTO, whatever else it is. */
const MAX_DTO_DEPTH = 16;

/** Why `value` cannot be a DTO's input, if it cannot: nesting past `limit`, or a lone surrogate. Iterative: no stack to blow. */
function unfitForDto(value: unknown, limit: number): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string' && hasLoneSurrogate(node)) return 'holds text that is not valid Unicode (a lone surrogate)';
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return `is nested more than ${limit} levels deep`;
    for (const [key, child] of Object.entries(node)) {
      if (hasLoneSurrogate(key)) return 'holds text that is not valid Unicode (a lone surrogate)';
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** What class-validator found, kept for the pipe to word with the raw input at hand. */
class InvalidInput extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('invalid input');
  }
}

/**
 * Refused before class-transformer and class-validator see them, as a 400: a body nested a few
 * thousand levels deep (class-transformer copies it recursively and overflows the stack), and a lone
 * surrogate (validator's isEmail throws a URIError on it). Both were 500s. What class-validator
 * refuses is then worded from the DTO's rules and the input as it came (before `limit` became NaN).
 */
class BoundedValidationPipe extends ValidationPipe {
  /** The same pipe, except that undocumented keys are dropped instead of refused (see KeepsUnknownKeys). */
  private readonly lenient: ValidationPipe;

  constructor(options: ValidationPipeOptions) {
    super(options);
    this.lenient = new ValidationPipe({ ...options, forbidNonWhitelisted: false });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const problem = this.toValidate(metadata) ? unfitForDto(value, MAX_DTO_DEPTH) : undefined;
    if (problem) throw new DomainError('bad_request', `The ${metadata.type} ${problem}.`);
    try {
      return await this.validateInto(value, metadata);
    } catch (error) {
      if (!(error instanceof InvalidInput) || !metadata.metatype) throw error;
      throw new DomainError('bad_request', explain(error.errors, value, metadata.type, metadata.metatype));
    }
  }

  /** Validates into the DTO; a @KeepsUnknownKeys() DTO sets its undocumented keys aside instead of refusing them. */
  private async validateInto(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype as Type | undefined;
    if (!type || !keepsUnknownKeys(type) || value === null || typeof value !== 'object' || Array.isArray(value)) {
      return super.transform(value, metadata);
    }
    const dto = (await this.lenient.transform(value, metadata)) as object;
    Object.defineProperty(dto, UNKNOWN_KEYS, { value: setAsideUnknownKeys(value as Record<string, unknown>, dto), enumerable: false });
    return dto;
  }
}

/** Values that may be an address or a secret are never repeated in a message. */
const SENSITIVE_NAME = /email|key|secret|token|password/i;
/** A value short and plain enough to be repeated as "got": no `@`, and too short to be a key. */
const ECHOABLE = /^[\p{L}\p{N} ._:+-]{0,20}$/u;
/** A key repeated in "… is not a parameter": plain, short, and so never an address. */
const PLAIN_KEY = /^[A-Za-z0-9_.-]{1,40}$/;

const LENGTH_CHECKS = ['isNotEmpty', 'minLength', 'maxLength'];

/** What was sent, said without repeating anything that could be an address or a key. */
function got(rule: FieldRule, value: unknown, failed: string[], inQuery: boolean): string {
  if (value === null) return ' (got null)';
  if (Array.isArray(value)) return inQuery ? ' (got several values)' : ' (got an array)';
  if (typeof value === 'object') return ' (got an object)';
  if (typeof value === 'number' || typeof value === 'boolean') return ` (got ${JSON.stringify(value)})`;
  if (typeof value !== 'string') return '';
  if (failed.some((check) => LENGTH_CHECKS.includes(check))) {
    const length = [...value].length;
    return ` (got ${length} character${length === 1 ? '' : 's'})`;
  }
  // A text field's own text is the caller's data (an address, say): the rule alone says what is wrong.
  if (rule.type === 'string' && !rule.enum) return '';
  const sensitive = rule.format === 'email' || SENSITIVE_NAME.test(rule.name);
  if (!sensitive && ECHOABLE.test(value)) return ` (got ${JSON.stringify(value)})`;
  // In a query every value is text; in a body, text where a number or a boolean belongs is worth saying.
  return inQuery ? '' : ' (got text)';
}

/**
 * One sentence per field in trouble, whatever number of its checks failed: the field, the rule it
 * has (from the DTO's rules, which a contract test holds equal to the spec's) and what was sent.
 */
function explain(errors: ValidationError[], raw: unknown, type: ArgumentMetadata['type'], dto: Function): string {
  const { fields } = dtoRules(dto);
  const noun = type === 'query' ? 'parameter' : 'field';
  const names = fields.map((field) => field.name).join(', ');
  const input = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!input) return `The ${type} must be a JSON object with the ${noun}s ${names}.`;
  const failedBy = new Map(errors.map((error) => [error.property, Object.keys(error.constraints ?? {})]));
  const sentences = fields.flatMap((field) => {
    const failed = failedBy.get(field.name);
    // A query string cannot carry null, so IsOptional's "or null" says nothing there.
    const rule = type === 'query' ? { ...field, nullable: false } : field;
    if (!failed) return [];
    const value = input[rule.name];
    if (value === undefined) return [`${rule.name} is required: send ${describeRule(rule)}.`];
    return [`${rule.name} must be ${describeRule(rule)}${got(rule, value, failed, type === 'query')}.`];
  });
  const known = new Set(fields.map((field) => field.name));
  for (const key of failedBy.keys()) {
    if (known.has(key)) continue;
    const which = PLAIN_KEY.test(key) ? key : `A ${noun} sent`;
    sentences.push(`${which} is not a ${noun} of this ${type === 'query' ? 'operation' : 'body'}; the ${noun}s are ${names}.`);
  }
  return sentences.join(' ') || 'The request is not valid.';
}

/**
 * The global pipe for class-validator DTOs (operator routes, query strings, Enginy's single-record
 * bodies). Unknown keys are a 400 where the schema says `additionalProperties: false`, and custom
 * fields in a @KeepsUnknownKeys() DTO (activities, tasks). Enginy's batch payloads are not
 * DTO-validated (their handlers take the body as `unknown`, which this pipe leaves alone): their items
 * are checked one by one, and their unknown keys are custom fields. A contract test holds both.
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new InvalidInput(errors),
  });
}
