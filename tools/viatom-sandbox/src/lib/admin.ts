import type { FastifyInstance, FastifyReply } from 'fastify';
import { isPlainObject, UnparsableBody } from './body';
import type { SandboxContext } from './context';
import { parseFault } from './faults';
import { checkPushUrl, redactUrl } from './push-sender';
import { MEASUREMENT_DATA_TYPES } from './pushes';
import { SandboxInputError } from './scenarios';
import type { PushRecord, SandboxPushSender } from './types';

interface RouteDoc {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, string>;
  description: string;
}

const PHONE = 'string, required: the user\'s phone';
const TIME =
  'string, optional: create_time/update_time, "YYYY-MM-DD HH:mm:ss" or epoch milliseconds like "1694676339000" (both as is) ' +
  'or an ISO instant; default now';
const DATA_TAG = 'string, optional: data_tag; default 32 random hex digits ("" allowed)';

/** The admin API, as `GET /admin` lists it. Every push route answers `{sent: [{message, status, ok, body, error, ...}]}`. */
export const ADMIN_ROUTES: readonly RouteDoc[] = [
  { method: 'GET', path: '/admin', description: 'This index.' },
  {
    method: 'GET',
    path: '/admin/state',
    description: 'Calls received per endpoint, authorized phones, pushes sent, signs issued, the fault in force, the push URL (query values hidden).',
  },
  { method: 'GET', path: '/admin/calls', description: 'The last 100 open-API calls (credential headers redacted).' },
  { method: 'GET', path: '/admin/pushes', description: 'The last 100 pushes sent with the receiver\'s answers.' },
  {
    method: 'POST',
    path: '/admin/push-url',
    body: { url: 'string (http/https) or null: where pushes are POSTed from now on' },
    description: 'Sets the push URL.',
  },
  {
    method: 'POST',
    path: '/admin/pushes/authorized',
    body: { phone: PHONE, time: TIME, dataTag: DATA_TAG },
    description: 'Sends a type-2 push (user authorized) and marks the phone authorized.',
  },
  {
    method: 'POST',
    path: '/admin/pushes/cancelled',
    body: { phone: PHONE, time: TIME, dataTag: DATA_TAG },
    description: 'Sends a type-3 push (user cancelled) and forgets the phone\'s authorization.',
  },
  {
    method: 'POST',
    path: '/admin/pushes/measurement',
    body: {
      phone: 'string, optional: derives account_id and is written into data.phone',
      accountId: 'string, optional: account_id to send (one of phone / accountId is required)',
      dataType: `number, optional: one of ${MEASUREMENT_DATA_TYPES.join(', ')} (1 temperature, 2 SpO2, 3 blood pressure, 4 glucose, 5 ECG, 6 heart rate, 7 sleep, 9 cholesterol, 10 weight, 15 fetal heart rate); default 2`,
      measureTime: 'string, optional: data.measure_time, same formats as time; default five minutes ago',
      time: TIME,
      timeFormat: 'string, optional: "datetime" (default) or "epoch-ms": the form defaults and ISO instants of measureTime/time are written in',
      dataTag: DATA_TAG,
      deviceSn: 'string, optional: device_sn; default a fake serial per data type',
    },
    description:
      'Sends a type-1 push whose data is {data_type, measure_time, measure_result, remark}: sample values in the shapes of Viatom\'s ViHealth guide.',
  },
  {
    method: 'POST',
    path: '/admin/pushes/samples',
    body: { phone: PHONE },
    description:
      'Sends one measurement of each data type; 2, 4, 6, 9 and 15 with times in epoch milliseconds ("1694676339000"), ' +
      'the others in "YYYY-MM-DD HH:mm:ss".',
  },
  {
    method: 'POST',
    path: '/admin/pushes/duplicate',
    body: { phone: PHONE },
    description: 'Sends the same type-2 push twice (same data_tag).',
  },
  {
    method: 'POST',
    path: '/admin/pushes/empty-data-tag',
    body: { phone: PHONE },
    description: 'Sends a type-2 push with data_tag "" twice (same content).',
  },
  {
    method: 'POST',
    path: '/admin/pushes/out-of-order',
    body: { phone: PHONE },
    description: 'Sends a type-3 push (now) first, then a type-2 push dated a minute earlier: the user ends cancelled.',
  },
  {
    method: 'POST',
    path: '/admin/pushes/raw',
    body: {
      message: 'any JSON, sent as JSON (either this or body)',
      body: 'string, sent verbatim (e.g. malformed JSON)',
      contentType: 'string, optional with body; default application/json; charset=utf-8',
    },
    description: 'Sends anything.',
  },
  { method: 'GET', path: '/admin/faults', description: 'The fault in force, or null.' },
  {
    method: 'POST',
    path: '/admin/faults',
    body: {
      latencyMs: 'integer 0-120000: delay the answer (alone: a slow, normal answer)',
      errorCode: 'integer, not 0: answer Viatom\'s envelope with this code',
      errorMessage: 'string, with errorCode: its message (default: Viatom\'s text for the code)',
      httpStatus: 'integer 100-599: alone, a non-envelope JSON error body with this status; with errorCode/nonJson/noEnvelope, their status',
      nonJson: 'true: answer text/html "not json"',
      noEnvelope: 'true: answer JSON without Viatom\'s envelope',
      oversized: 'true: answer Viatom\'s envelope padded to 2 MiB',
      dropConnection: 'true: destroy the socket without answering',
      count: 'integer >= 1: only the next N matching calls, then the fault clears; absent = until DELETE',
      endpoints: 'array of "jump_path" / "cancel": only these; absent = both',
    },
    description: 'Replaces the fault applied to open-API calls (never to /admin or /auth). One of dropConnection, nonJson, noEnvelope, oversized, errorCode at most.',
  },
  { method: 'DELETE', path: '/admin/faults', description: 'Clears the fault.' },
  {
    method: 'POST',
    path: '/admin/reset',
    description: 'Forgets calls, pushes, authorized phones, signs and the fault (keeps the push URL).',
  },
];

function pushView(record: PushRecord) {
  return { ...record, url: redactUrl(record.url) };
}

function badRequest(reply: FastifyReply, errors: string[]) {
  return reply.code(400).send({ error: 'Bad Request', errors });
}

export function registerAdmin(app: FastifyInstance, ctx: SandboxContext, reset: () => void): void {
  app.get('/admin', async () => ({
    name: 'viatom-sandbox',
    description: "Local stand-in for Viatom's health-archive open platform: open API, consent page, pushes.",
    openApi: ['POST /api/v1/open/auth/jump_path', 'POST /api/v1/open/auth/cancel'],
    consentPage: 'GET /auth/ (POST /auth/consent {phone, sign?} as a form or JSON)',
    routes: ADMIN_ROUTES,
  }));

  app.get('/admin/state', async () => {
    const byEndpoint = { jump_path: 0, cancel: 0 };
    for (const call of ctx.calls) byEndpoint[call.endpoint] += 1;
    return {
      url: ctx.listeningUrl(),
      publicUrl: ctx.publicUrl(),
      pushUrl: redactUrl(ctx.pusher.url),
      timeZone: ctx.timeZone,
      calls: { total: ctx.calls.length, byEndpoint },
      authorizedPhones: [...ctx.authorizedPhones],
      pushesSent: ctx.pusher.records.length,
      signsIssued: ctx.signs.size,
      fault: ctx.faults.fault,
    };
  });

  app.get('/admin/calls', async () => ({ calls: ctx.calls.slice(-100) }));
  app.get('/admin/pushes', async () => ({ pushes: ctx.pusher.records.slice(-100).map(pushView) }));

  app.post('/admin/push-url', async (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body) || !('url' in body)) return badRequest(reply, ['url: required (a URL, or null to unset)']);
    try {
      ctx.pusher.url = checkPushUrl(body['url']);
    } catch (error) {
      return badRequest(reply, [(error as Error).message]);
    }
    return { pushUrl: redactUrl(ctx.pusher.url) };
  });

  const pushRoute = (path: string, scenario: keyof SandboxPushSender) => {
    app.post(`/admin/pushes/${path}`, async (request, reply) => {
      const body = request.body;
      if (body instanceof UnparsableBody) return badRequest(reply, [`body: ${body.problem}`]);
      try {
        const records = await ctx.adminPushes[scenario](body as never);
        return { sent: records.map(pushView) };
      } catch (error) {
        if (error instanceof SandboxInputError) return badRequest(reply, error.errors);
        throw error;
      }
    });
  };
  pushRoute('authorized', 'authorized');
  pushRoute('cancelled', 'cancelled');
  pushRoute('measurement', 'measurement');
  pushRoute('samples', 'samples');
  pushRoute('duplicate', 'duplicate');
  pushRoute('empty-data-tag', 'emptyDataTag');
  pushRoute('out-of-order', 'outOfOrder');
  pushRoute('raw', 'raw');

  app.get('/admin/faults', async () => ({ fault: ctx.faults.fault }));
  app.post('/admin/faults', async (request, reply) => {
    const body = request.body;
    if (body instanceof UnparsableBody) return badRequest(reply, [`body: ${body.problem}`]);
    const parsed = parseFault(body);
    if (!parsed.ok) return badRequest(reply, parsed.errors);
    return { fault: ctx.faults.set(parsed.fault) };
  });
  app.delete('/admin/faults', async () => {
    ctx.faults.reset();
    return { fault: null };
  });

  app.post('/admin/reset', async () => {
    reset();
    return { reset: true };
  });
}
