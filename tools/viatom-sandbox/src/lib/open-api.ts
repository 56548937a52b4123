import { STATUS_CODES } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  formatViatomTime,
  normalizePhone,
  PushType,
  ViatomErrorCode,
  ViatomHeader,
  type ViatomLanguage,
} from '@health-bridge/viatom-protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPlainObject, UnparsableBody } from './body';
import type { SandboxContext } from './context';
import { ENDPOINT_NAMES } from './faults';
import { failure, success, toLanguage } from './messages';
import { statePush } from './pushes';
import type { CredentialVerdict, OpenApiCall, SandboxEndpointName, SandboxFault } from './types';

/** The padding of the `oversized` fault's answer: 2 MiB, past what a client should read. */
const OVERSIZED_BYTES = 2 * 1024 * 1024;

/** Three bytes that encode to `+/+/` wherever they sit on a 3-byte boundary. */
const SIGN_MARK = Buffer.from([0xfb, 0xff, 0xbf]);

/**
 * A sign like Viatom's: standard base64 that always contains '+', '/' and '=' (so an
 * integrator that re-encodes or "cleans" the URL is caught), around a random part:
 * 15 random bytes, the mark, 1 random byte = 19 bytes, not a multiple of 3, hence '=='.
 */
export function newSign(): string {
  return Buffer.concat([randomBytes(15), SIGN_MARK, randomBytes(1)]).toString('base64');
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function verdict(sent: string | undefined, expected: string): CredentialVerdict {
  if (sent === undefined || sent === '') return 'missing';
  return sent === expected ? 'valid' : 'invalid';
}

function recordedHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] =
      name === ViatomHeader.Secret || name === ViatomHeader.AccessToken
        ? '[redacted]'
        : Array.isArray(value)
          ? value.join(', ')
          : value;
  }
  return headers;
}

export function registerOpenApi(app: FastifyInstance, ctx: SandboxContext): void {
  const answer = (reply: FastifyReply, call: OpenApiCall, status: number, payload: unknown, code: number | null) => {
    call.answer = { httpStatus: status, code };
    return reply.code(status).send(payload);
  };

  const drop = (request: FastifyRequest, reply: FastifyReply, call: OpenApiCall) => {
    call.answer = { dropped: true };
    reply.hijack();
    request.raw.socket.destroy();
  };

  /** Applies a fault's answer; false when the fault is latency only (answer normally). */
  const applyFault = (
    fault: SandboxFault,
    request: FastifyRequest,
    reply: FastifyReply,
    call: OpenApiCall,
    language: ViatomLanguage,
  ): boolean => {
    if (fault.dropConnection) {
      drop(request, reply, call);
      return true;
    }
    const status = fault.httpStatus ?? 200;
    if (fault.nonJson) {
      reply.type('text/html; charset=utf-8');
      answer(reply, call, status, 'not json', null);
      return true;
    }
    if (fault.oversized) {
      const payload = { code: 0, message: 'success', reason: '', data: { jump_path: '', padding: 'x'.repeat(OVERSIZED_BYTES) } };
      answer(reply, call, status, payload, 0);
      return true;
    }
    if (fault.noEnvelope) {
      answer(reply, call, status, { success: true, result: 'this is not a Viatom envelope' }, null);
      return true;
    }
    if (fault.errorCode !== undefined) {
      const payload = failure(fault.errorCode, language, 'injected by the sandbox (fault)', fault.errorMessage);
      answer(reply, call, status, payload, fault.errorCode);
      return true;
    }
    if (fault.httpStatus !== undefined) {
      // What a Spring Boot service answers on an unhandled error: JSON, but not the envelope.
      const payload = {
        timestamp: new Date().toISOString(),
        status,
        error: STATUS_CODES[status] ?? 'Error',
        path: request.url.split('?')[0],
      };
      answer(reply, call, status, payload, null);
      return true;
    }
    return false;
  };

  const handle = (endpoint: SandboxEndpointName) => async (request: FastifyRequest, reply: FastifyReply) => {
    const secret = verdict(header(request, ViatomHeader.Secret), ctx.secret);
    const accessToken = verdict(header(request, ViatomHeader.AccessToken), ctx.accessToken);
    const sentLanguage = header(request, ViatomHeader.Language);
    const call: OpenApiCall = {
      id: ctx.nextCallId(),
      at: new Date(),
      endpoint,
      path: ENDPOINT_NAMES[endpoint],
      headers: recordedHeaders(request),
      secret,
      accessToken,
      language: sentLanguage,
      body: request.body instanceof UnparsableBody ? request.body.raw : request.body,
      fault: null,
      answer: null,
    };
    ctx.calls.push(call);

    const fault = ctx.faults.take(endpoint);
    call.fault = fault;
    if (fault?.latencyMs) {
      await ctx.delay(fault.latencyMs);
      if (ctx.closing) return drop(request, reply, call);
    }
    const validLanguage = toLanguage(sentLanguage);
    const language = validLanguage ?? 'zh-CN';
    if (fault && applyFault(fault, request, reply, call, language)) return reply;

    if (secret !== 'valid') {
      const reason = secret === 'missing' ? 'the secret header is missing' : 'the secret header does not match';
      return answer(reply, call, 200, failure(ViatomErrorCode.SecretError, language, reason), ViatomErrorCode.SecretError);
    }
    if (accessToken !== 'valid') {
      const reason = accessToken === 'missing' ? 'the access-token header is missing' : 'the access-token header does not match';
      const code = ViatomErrorCode.AccessTokenInvalid;
      return answer(reply, call, 200, failure(code, language, reason), code);
    }
    if (!validLanguage) {
      const reason = `the language header must be zh-CN or en-US, got ${sentLanguage === undefined ? 'none' : JSON.stringify(sentLanguage.slice(0, 40))}`;
      const code = ViatomErrorCode.ParameterError;
      return answer(reply, call, 200, failure(code, language, reason), code);
    }

    if (endpoint === 'jump_path') {
      const sign = ctx.issueSign();
      const jumpPath = `${ctx.publicUrl()}/auth/#/?sign=${sign}`;
      return answer(reply, call, 200, success({ jump_path: jumpPath }, language), 0);
    }

    const body = request.body;
    const parameterError = (reason: string) =>
      answer(reply, call, 200, failure(ViatomErrorCode.ParameterError, language, reason), ViatomErrorCode.ParameterError);
    if (body instanceof UnparsableBody) return parameterError(`the body is ${body.problem}`);
    if (!isPlainObject(body)) return parameterError('the body must be a JSON object {"phone": "..."}');
    // Viatom documents the phone as a string: a number is its parameter error, as a strict platform would answer.
    const phone = typeof body['phone'] === 'string' ? normalizePhone(body['phone']) : null;
    if (!phone) return parameterError('phone: must be a string of digits with an optional leading "+", 6 to 20 digits');
    if (!ctx.authorizedPhones.has(phone)) {
      const code = ViatomErrorCode.NoAuthorizedUser;
      return answer(reply, call, 200, failure(code, language, `no user with phone ${phone} has authorized`), code);
    }

    ctx.authorizedPhones.delete(phone);
    const message = statePush(PushType.UserCancelled, phone, formatViatomTime(new Date(), ctx.timeZone));
    // Viatom's later revision: the cancel is also pushed (type 3), after the call was answered.
    const answered = new Promise<void>((resolve) => {
      // The caller may have given up already (its own timeout): the cancel is done all the same.
      if (request.raw.socket?.destroyed || reply.raw.destroyed) return resolve();
      reply.raw.once('finish', () => resolve());
      reply.raw.once('close', () => resolve());
    });
    ctx.pusher.sendAfter(answered, message, 'cancel');
    return answer(reply, call, 200, success({}, language), 0);
  };

  app.post(ENDPOINT_NAMES.jump_path, handle('jump_path'));
  app.post(ENDPOINT_NAMES.cancel, handle('cancel'));
}
