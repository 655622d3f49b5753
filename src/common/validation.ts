import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from './domain-error.js';

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
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new DomainError('bad_request', describe(errors).join('; ') || 'Invalid request.'),
  });
}
