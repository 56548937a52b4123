import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Authorization = Schemas['AuthorizationDto'];
export type ConsentRecord = Schemas['ConsentRecordDto'];
export type Measurement = Schemas['MeasurementDto'];
export type Push = Schemas['PushDto'];
export type WebhookEndpoint = Schemas['WebhookEndpointDto'];
export type WebhookDelivery = Schemas['WebhookDeliveryDto'];
export type EventType = Schemas['EventDto']['type'];
export type Problem = Schemas['ProblemDto'];

/** A REST call that did not answer 2xx: the problem+json the API sends, or what stood in for it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The problem's field errors as `field: message` lines, for a form. */
  get fieldErrors(): string[] {
    return (this.problem.errors ?? []).map((e) => `${e.field}: ${e.message}`);
  }
}

export type Api = ReturnType<typeof createApi>;

/**
 * The REST API, typed from its OpenAPI document. Every call carries the key in `X-API-Key`
 * (never in a URL or a cookie), so the API's access audit records what the console showed.
 * `onUnauthorized` runs when the API answers 401: the key was revoked or mistyped.
 */
export function createApi(apiKey: string, options: { baseUrl?: string; onUnauthorized?: () => void } = {}) {
  const client = createClient<paths>({ baseUrl: options.baseUrl ?? '' });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('X-API-Key', apiKey);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/**
 * The data of an openapi-fetch answer, or an ApiError: lets a page write
 * `const page = await ok(api.GET(...))` and show the problem's detail when it throws.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  if (response.ok) return undefined as T; // 204
  throw new ApiError(response.status, problemOf(error, response));
}

function problemOf(error: unknown, response: Response): Partial<Problem> {
  if (error && typeof error === 'object') return error as Partial<Problem>;
  return { status: response.status, title: response.statusText || `HTTP ${response.status}` };
}
