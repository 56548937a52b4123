import { formatViatomTime, normalizePhone, PushType } from '@health-bridge/viatom-protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPlainObject, UnparsableBody } from './body';
import { consentErrorHtml, consentPageHtml, consentResultHtml } from './consent-page';
import type { SandboxContext } from './context';
import { redactUrl } from './push-sender';
import { statePush } from './pushes';

/** The path part of the public URL (the sandbox may sit behind a proxy under a prefix). */
export function basePath(publicUrl: string): string {
  try {
    return new URL(publicUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** Finds the issued sign; tolerates '+' turned into ' ' by an unencoded form post (curl -d). */
function knownSign(ctx: SandboxContext, sign: string): string | null {
  if (ctx.signs.has(sign)) return sign;
  const repaired = sign.replace(/ /g, '+');
  return ctx.signs.has(repaired) ? repaired : null;
}

export function registerConsent(app: FastifyInstance, ctx: SandboxContext): void {
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const html = consentPageHtml({
      actionPath: `${basePath(ctx.publicUrl())}/auth/consent`,
      pushTarget: redactUrl(ctx.pusher.url),
    });
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  };
  app.get('/auth', page);
  app.get('/auth/', page);

  app.post('/auth/consent', async (request, reply) => {
    const wantsJson = /json/i.test(String(request.headers['content-type'] ?? ''));
    const refuse = (message: string) =>
      wantsJson
        ? reply.code(400).send({ authorized: false, error: message })
        : reply.code(400).type('text/html; charset=utf-8').send(consentErrorHtml(message));

    const body = request.body;
    if (body instanceof UnparsableBody) return refuse(`The body is ${body.problem}.`);
    if (!isPlainObject(body)) return refuse('Send a phone number (form field or JSON {"phone": "..."}).');
    const phone = normalizePhone(body['phone']);
    if (!phone) return refuse('The phone number must be digits with an optional leading "+", 6 to 20 digits.');

    let sign: string | null = null;
    const sentSign = body['sign'];
    if (sentSign !== undefined && sentSign !== null && sentSign !== '') {
      sign = typeof sentSign === 'string' ? knownSign(ctx, sentSign) : null;
      if (!sign) return refuse('This link\'s sign was not issued by this sandbox (ask jump_path for a new link).');
    }

    ctx.authorizedPhones.add(phone);
    const message = statePush(PushType.UserAuthorized, phone, formatViatomTime(new Date(), ctx.timeZone));
    const record = await ctx.pusher.send(message, 'consent');
    const outcome = {
      phone,
      pushTarget: redactUrl(record.url),
      status: record.status,
      ok: record.ok,
      error: record.error,
      answer: record.body,
    };
    if (wantsJson) {
      return reply.send({
        authorized: true,
        phone,
        sign,
        push: { message, url: outcome.pushTarget, status: record.status, ok: record.ok, body: record.body, error: record.error },
      });
    }
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(consentResultHtml(outcome));
  });
}
