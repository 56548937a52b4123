import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details: the one shape of every error this API answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** What was wrong with the request, field by field (validation errors). */
  errors?: ProblemFieldError[];
  /** Viatom's code and message, when Viatom refused the call. */
  viatomCode?: number;
  viatomMessage?: string;
  /** Seconds for the Retry-After header of a 503; sent as that header, never in the body. */
  retryAfterSeconds?: number;
}

export interface ProblemFieldError {
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types this API defines (relative URIs documented in the OpenAPI description). */
export const ProblemType = {
  Validation: '/problems/validation-error',
  ViatomRefused: '/problems/viatom-refused',
  ViatomCredentials: '/problems/viatom-credentials-rejected',
  ViatomUnavailable: '/problems/viatom-unavailable',
  ViatomBusy: '/problems/viatom-busy',
  ViatomTimeout: '/problems/viatom-timeout',
  ViatomBadAnswer: '/problems/viatom-bad-answer',
  DatabaseUnavailable: '/problems/database-unavailable',
  Generic: 'about:blank',
} as const;

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: ProblemType.Generic,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  };
}
