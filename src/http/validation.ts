import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { hasLoneSurrogate } from '../common/unicode.js';

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
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const problem = this.toValidate(metadata) ? unfitForDto(value, MAX_DTO_DEPTH) : undefined;
    if (problem) throw new DomainError('bad_request', `The ${metadata.type} ${problem}.`);
    return super.transform(value, metadata);
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
