import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

export class ProblemFieldErrorDto {
  @ApiProperty({ example: 'phone' })
  field!: string;
  @ApiProperty({ example: 'phone must be a phone number: digits with an optional leading "+", 6 to 20 digits' })
  message!: string;
}

/** RFC 9457 problem details, as documented to callers. */
export class ProblemDto {
  @ApiProperty({
    description:
      'Problem type: `about:blank` for plain HTTP errors, otherwise one of /problems/validation-error, /problems/viatom-refused, /problems/viatom-credentials-rejected, /problems/viatom-unavailable, /problems/viatom-busy, /problems/viatom-timeout, /problems/viatom-bad-answer, /problems/database-unavailable.',
    example: '/problems/validation-error',
  })
  type!: string;
  @ApiProperty({ example: 'Validation failed' })
  title!: string;
  @ApiProperty({ example: 400 })
  status!: number;
  @ApiProperty({ example: 'phone must be a phone number: digits with an optional leading "+", 6 to 20 digits' })
  detail!: string;
  @ApiProperty({ type: [ProblemFieldErrorDto], required: false, description: 'Validation errors, field by field.' })
  errors?: ProblemFieldErrorDto[];
  @ApiProperty({ required: false, description: "Viatom's error code, when Viatom refused.", example: 101009 })
  viatomCode?: number;
  @ApiProperty({ required: false, description: "Viatom's error message, when Viatom refused.", example: 'no authorized user exists' })
  viatomMessage?: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed.',
  401: 'The X-API-Key header is missing or not valid.',
  404: 'Not found.',
  413: 'The body is larger than the configured limit.',
  415: 'The body is not JSON.',
  502: 'Viatom refused the call (`viatomCode`, `viatomMessage`), rejected the credentials, or gave a bad answer. Nothing was changed.',
  503: 'Viatom cannot be reached, stayed busy after retries (`viatomCode` 109999), or is paused after repeated failures (circuit open: Viatom not called); or the database cannot be reached. Try again after Retry-After seconds. Nothing was changed.',
  504: 'Viatom did not answer in time. Nothing was changed.',
};

/** Documents the problem+json answers of a route. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error.', content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } } }),
    ),
  );
}
