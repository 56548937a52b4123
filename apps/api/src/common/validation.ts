import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { findUnstorableJson } from '@health-bridge/viatom-protocol';
import { ProblemFieldError, problem, ProblemType } from './problem';

function flatten(errors: ValidationError[], parent = ''): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Global, strict validation: unknown fields are rejected, values converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new BadRequestException(
        problem(400, fieldErrors.map((e) => e.message).join('; ') || 'The request is not valid.', {
          type: ProblemType.Validation,
          title: 'Validation failed',
          errors: fieldErrors,
        }),
      );
    },
  });
}

/**
 * A REST body that no field rule should even see, refused before validation: nesting deeper than
 * any request of this API (class-validator and class-transformer walk it recursively and would
 * run out of stack), a NUL character or a lone surrogate (PostgreSQL cannot store them, and
 * SQLite would keep a mangled copy). The same rule as for pushes. Null when the body is fine.
 */
export function unstorableBody(body: unknown): BadRequestException | null {
  const found = findUnstorableJson(body, '');
  if (!found) return null;
  const field = found.path.replace(/^\./, '') || 'body';
  const message = `${field}: ${found.problem}`;
  return new BadRequestException(problem(400, message, { type: ProblemType.Validation, title: 'Validation failed', errors: [{ field, message }] }));
}
