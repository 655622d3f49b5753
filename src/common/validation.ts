import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from './domain-error.js';

/** DTO fields are all scalars; anything nested deeper than this is not a DTO, whatever else it is. */
const MAX_DTO_DEPTH = 16;

/** Whether `value` nests objects or arrays more than `limit` levels deep (iterative: no stack to blow). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * class-transformer copies a body recursively before class-validator sees it: a body nested a few
 * thousand levels deep overflows the stack (a 500). Such a body is refused first, as a 400.
 */
class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata) && nestedDeeperThan(value, MAX_DTO_DEPTH)) {
      throw new DomainError('bad_request', `The ${metadata.type} is nested more than ${MAX_DTO_DEPTH} levels deep.`);
    }
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
