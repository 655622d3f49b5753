import { type ArgumentMetadata, type Type, ValidationError, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { CUSTOM_FIELD_LIMITS, FORBIDDEN_KEYS } from '../contacts/contact-fields.js';
import { DomainError } from './domain-error.js';
import { hasLoneSurrogate } from './unicode.js';

const KEEPS_UNKNOWN_KEYS = Symbol('keepsUnknownKeys');
const UNKNOWN_KEYS = Symbol('unknownKeys');

/**
 * Marks a DTO of a body Enginy sends (`additionalProperties: true` in the contract): undocumented keys
 * are never a 400. Its documented keys are validated as usual; the others are set aside, checked against
 * the custom-field limits, and read with unknownKeysOf().
 */
export function KeepsUnknownKeys(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(KEEPS_UNKNOWN_KEYS, true, target);
  };
}

/** The undocumented keys of a body validated into a @KeepsUnknownKeys() DTO, with their JSON values. */
export function unknownKeysOf(dto: object): Record<string, unknown> {
  return (dto as { [UNKNOWN_KEYS]?: Record<string, unknown> })[UNKNOWN_KEYS] ?? {};
}

/** The keys of `raw` that validation dropped from `dto`, as custom fields; a 400 past their limits. */
function setAsideUnknownKeys(raw: Record<string, unknown>, dto: object): Record<string, unknown> {
  const unknown: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(raw)) {
    if (Object.prototype.hasOwnProperty.call(dto, key) || FORBIDDEN_KEYS.has(key)) continue;
    if (key.length > CUSTOM_FIELD_LIMITS.maxKeyLength) {
      throw new DomainError('bad_request', `An undocumented key is longer than ${CUSTOM_FIELD_LIMITS.maxKeyLength} characters.`);
    }
    unknown[key] = raw[key];
    count++;
  }
  if (count > CUSTOM_FIELD_LIMITS.maxKeys) {
    throw new DomainError('bad_request', `The body has ${count} undocumented keys; at most ${CUSTOM_FIELD_LIMITS.maxKeys} are kept.`);
  }
  if (count > 0 && Buffer.byteLength(JSON.stringify(unknown), 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes) {
    throw new DomainError('bad_request', `The undocumented keys take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON.`);
  }
  return unknown;
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

/**
 * Refused before class-transformer and class-validator see them, as a 400: a body nested a few
 * thousand levels deep (class-transformer copies it recursively and overflows the stack), and a lone
 * surrogate (validator's isEmail throws a URIError on it). Both were 500s.
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
    const type = metadata.metatype as Type | undefined;
    if (!type || !Reflect.getMetadata(KEEPS_UNKNOWN_KEYS, type) || value === null || typeof value !== 'object' || Array.isArray(value)) {
      return super.transform(value, metadata);
    }
    const dto = (await this.lenient.transform(value, metadata)) as object;
    Object.defineProperty(dto, UNKNOWN_KEYS, { value: setAsideUnknownKeys(value as Record<string, unknown>, dto), enumerable: false });
    return dto;
  }
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * The global pipe for class-validator DTOs (operator routes, query strings). Unknown keys are a 400
 * there, because those schemas say `additionalProperties: false`. Enginy's contact payloads are not
 * DTO-validated: they are checked item by item by the contacts service.
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new DomainError('bad_request', describe(errors).join('; ') || 'Invalid request.'),
  });
}
