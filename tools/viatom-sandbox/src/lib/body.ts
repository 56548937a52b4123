import type { FastifyInstance } from 'fastify';

/** A body that could not be parsed: routes decide how to answer (Viatom's envelope, or 400). */
export class UnparsableBody {
  constructor(
    readonly raw: string,
    readonly problem: string,
  ) {}
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    // Plain JSON.parse: a `__proto__` key becomes an own property (no pollution), so a raw
    // push may carry one on purpose to test the receiver.
    return JSON.parse(text);
  } catch (error) {
    return new UnparsableBody(text, `not JSON: ${(error as Error).message}`);
  }
}

function parseForm(text: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) form[key] = value;
  return form;
}

/**
 * Lenient parsers: an empty JSON body is "no body" (Viatom's jump_path is called so),
 * invalid JSON is an `UnparsableBody` instead of Fastify's 400, forms are parsed with
 * URLSearchParams, anything else is JSON when it parses and the text otherwise.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseJson(body as string));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const parsed = parseJson(body as string);
    done(null, parsed instanceof UnparsableBody ? body : parsed);
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof UnparsableBody);
}
