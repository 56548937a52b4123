import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { Problem, problem, PROBLEM_CONTENT_TYPE, ProblemType } from './problem';

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
  409: 'The request conflicts with a change made meanwhile: `detail` says which. Nothing was changed.',
  413: 'The body is larger than the configured limit.',
  415: 'The body is not JSON.',
  429: 'Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed.',
  502: 'Viatom refused the call (`viatomCode`, `viatomMessage`), rejected the credentials, or gave a bad answer. Nothing was changed.',
  503: 'Viatom cannot be reached, stayed busy after retries (`viatomCode` 109999), or is paused after repeated failures (circuit open: Viatom not called); or the database cannot be reached. Try again after Retry-After seconds. Nothing was changed.',
  504: 'Viatom did not answer in time. Nothing was changed.',
};

type ProblemExample = { summary: string; value: Problem };

const example = (summary: string, value: Problem): ProblemExample => ({ summary, value });
const PHONE_INVALID =
  'phone must be a phone number: 6 to 20 digits with an optional leading "+"; spaces, dashes, dots and brackets are ignored, and +86 / 0086 / 86 before a Chinese mobile number is dropped';

/**
 * What each status answers, as this service words it (taken from real answers): without these,
 * Swagger UI builds one example from ProblemDto's properties and shows it for every status.
 */
const EXAMPLES: Record<number, Record<string, ProblemExample>> = {
  400: {
    validation: example('A field is not valid', {
      type: ProblemType.Validation,
      title: 'Validation failed',
      status: 400,
      detail: PHONE_INVALID,
      errors: [{ field: 'phone', message: PHONE_INVALID }],
    }),
  },
  401: { missingKey: example('No X-API-Key header', problem(401, 'The X-API-Key header is missing.')) },
  404: { notSeen: example('No push ever named this phone', problem(404, 'No authorization has been seen for this phone.')) },
  413: { tooLarge: example('Body over BODY_LIMIT_BYTES', problem(413, 'The body is larger than the configured limit (BODY_LIMIT_BYTES).')) },
  415: { notJson: example('Body not JSON', problem(415, 'The body must be JSON (Content-Type: application/json).')) },
  429: { tooMany: example('Over RATE_LIMIT_API_MAX', problem(429, 'Too many requests: at most 600 per 60 s. Try again in 42 s.')) },
  502: {
    refused: example('Viatom refused', {
      type: ProblemType.ViatomRefused,
      title: 'Viatom refused the request',
      status: 502,
      detail: 'Viatom refused the request: 不存在授权用户',
      viatomCode: 101009,
      viatomMessage: '不存在授权用户',
    }),
    credentials: example('Viatom rejected the credentials', {
      type: ProblemType.ViatomCredentials,
      title: 'Viatom rejected the credentials',
      status: 502,
      detail: "Viatom rejected this service's credentials (secret or access token): check VIATOM_SECRET and VIATOM_ACCESS_TOKEN.",
      viatomCode: 109997,
      viatomMessage: 'secret错误,认证失败',
    }),
    badAnswer: example('Viatom answered something else', problem(502, 'Viatom answered with something that is not JSON.', { type: ProblemType.ViatomBadAnswer, title: 'Bad answer from Viatom' })),
  },
  503: {
    viatomUnavailable: example('Viatom unreachable', problem(503, 'Viatom cannot be reached: the connection was refused. Try again later.', { type: ProblemType.ViatomUnavailable, title: 'Viatom unavailable' })),
    viatomBusy: example('Viatom busy after retries (Retry-After)', {
      type: ProblemType.ViatomBusy,
      title: 'Viatom busy',
      status: 503,
      detail: 'Viatom is busy (code 109999) and stayed busy after 3 attempts. Try again in 2 s.',
      viatomCode: 109999,
      viatomMessage: '系统繁忙,请稍后再试',
    }),
    circuitOpen: example('Circuit open: Viatom not called (Retry-After)', problem(503, 'Viatom failed repeatedly, so calls to it are paused (circuit open); Viatom was not called. Try again in 30 s.', { type: ProblemType.ViatomUnavailable, title: 'Viatom unavailable' })),
    database: example('Database unreachable', problem(503, 'The database is unavailable. Try again later.', { type: ProblemType.DatabaseUnavailable, title: 'Database unavailable' })),
  },
  504: { timeout: example('Viatom did not answer in time', problem(504, 'Viatom did not answer in time.', { type: ProblemType.ViatomTimeout, title: 'Viatom timed out' })) },
};

/** Documents the problem+json answers of a route, each status with its own examples. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error.',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' }, examples: EXAMPLES[status] } },
      }),
    ),
  );
}
