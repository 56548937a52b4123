import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
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
