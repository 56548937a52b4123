import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { normalizePhone } from '@health-bridge/viatom-protocol';
import { pushMessage, startApi, TEST_API_KEY, TEST_WEBHOOK_TOKEN, type ApiHarness } from './api-harness';

/**
 * Hostile input: thousands of generated malformed requests across every route, from a seeded
 * (deterministic) generator. None may be a 5xx, none may store anything or reach Viatom, and
 * the service must still be healthy afterwards. A failure prints the seed and the request.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const CONCURRENCY = 8;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FuzzRequest = { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array };

const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE push_log; --",
  '1 UNION SELECT * FROM user_authorization',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '\u0000',
  '%00',
  '\uFFFF\uD800',
  '𝕳𝖊𝖑𝖑𝖔',
  'NaN',
  'Infinity',
  '-1',
  '0x10',
  '1e3',
  '9'.repeat(40),
  ' ',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '2022-13-45T99:99:99Z',
  '\r\nX-Injected: 1',
];

/** encodeURIComponent, except that a lone surrogate becomes its (invalid UTF-8) bytes instead of throwing. */
const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80').replace(/[^%\w]/g, (c) => encodeURIComponent(c));
  }
};

function generator(seed: number) {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => random() < p;
  const hugeString = () => 'x'.repeat(pick([1_000, 20_000, 200_000]));
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const hostileValue = (): unknown =>
    pick<() => unknown>([
      () => pick(INJECTIONS),
      () => int(1e9) * (chance(0.5) ? -1 : 1),
      () => random() * 1e308,
      () => null,
      () => chance(0.5),
      () => [pick(INJECTIONS), int(10)],
      () => ({ nested: pick(INJECTIONS) }),
      () => hugeString(),
      () => '',
    ])();

  /** A hostile value that is no phone in any form the receiver reads (a number of 6+ digits would be one). */
  const notAPhone = (): unknown => {
    for (;;) {
      const value = hostileValue();
      if (normalizePhone(value) === null) return value;
    }
  };

  // Every JSON body below is invalid for its route: a wrong type, an unknown field, a pollution key.
  const invalidJsonText = (valid: Record<string, unknown>): string =>
    pick<() => string>([
      () => JSON.stringify(valid).slice(0, 1 + int(JSON.stringify(valid).length - 1)), // truncated
      () => '{' + '"a":'.repeat(1 + int(5)),
      () => JSON.stringify(valid).replace(/"/g, "'"),
      () => JSON.stringify(valid) + ',',
      () => '{"a":1,}',
      () => '{"a":NaN}',
      () => '[' .repeat(2000) + ']'.repeat(1999),
      () => 'undefined',
      () => '\uFEFF{"a":',
      () => Buffer.from(randomBytes(1 + int(200))).toString('latin1'),
    ])();
  const pollution = (valid: Record<string, unknown>): string =>
    pick([
      `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`,
      `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(valid).slice(1)}`,
      `{"extra":{"__proto__":{"polluted":true}},${JSON.stringify(valid).slice(1)}`,
      `{"nested":{"deeper":{"constructor":{"prototype":{"x":1}}}},${JSON.stringify(valid).slice(1)}`,
    ]);

  // `anyLabel`: the route reads any body as JSON (the push receiver), so a wrong Content-Type is not enough to make it invalid.
  const jsonBody = (valid: Record<string, unknown>, breakIt: (v: Record<string, unknown>) => Record<string, unknown>, anyLabel = false) => {
    const kind = int(10);
    if (kind < 3) return { contentType: 'application/json', body: invalidJsonText(valid) };
    if (kind < 5) return { contentType: 'application/json', body: pollution(valid) };
    if (kind < 6) {
      return {
        contentType: pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'text/json']),
        body: JSON.stringify(anyLabel ? breakIt({ ...valid }) : valid),
      };
    }
    if (kind < 7) return { contentType: 'application/json', body: randomBytes(1 + int(300)) };
    return { contentType: pick(['application/json', 'application/json; charset=utf-8']), body: JSON.stringify(breakIt({ ...valid })) };
  };

  const push = () => pushMessage({ data_tag: `fuzz-${int(1e9)}` });
  const breakPush = (p: Record<string, unknown>) =>
    pick<(p: Record<string, unknown>) => Record<string, unknown>>([
      // ('2', a time in any form or none, and numeric ids are valid: the receiver is liberal there.)
      (q) => ({ ...q, type: pick(['two', null, [2], { v: 2 }, 2.5, '2.5', true]) }),
      (q) => ({ ...q, data: { phone: notAPhone() } }),
      (q) => ({ ...q, data: pick([null, [1], 'phone', 7]) }),
      (q) => ({ ...q, account_id: pick([[], {}, true, 'a'.repeat(1025)]) }), // (null is taken as "absent" by validatePush)
      (q) => ({ ...q, data_tag: pick([[], {}, true]) }),
      (q) => {
        const { type: _t, ...rest } = q;
        return rest;
      },
    ])(p);
  const breakPhoneBody = (b: Record<string, unknown>) =>
    pick<(b: Record<string, unknown>) => Record<string, unknown>>([
      () => ({ phone: hostileValue() }),
      () => ({}),
      (q) => ({ ...q, [pick(['extra', 'admin', 'isAdmin', 'status', '$where'])]: hostileValue() }),
      () => ({ phone: '1'.repeat(21 + int(1000)) }),
      () => ({ phone: pick(INJECTIONS) }),
    ])(b);
  const breakLanguageBody = (b: Record<string, unknown>) =>
    pick<(b: Record<string, unknown>) => Record<string, unknown>>([
      () => ({ language: pick(['fr-FR', 'zh-cn', '', ...INJECTIONS]) }),
      () => ({ language: hostileValue() }),
      (q) => ({ ...q, [pick(['extra', 'redirect', 'callback'])]: hostileValue() }),
    ])(b);

  const queryValue = () => (chance(0.1) ? pick(['%', '%E0%A4%A', '%zz', '%00']) : encode(String(pick<() => unknown>([() => pick(INJECTIONS), () => hostileValue()])())));
  const query = (keys: string[]) => {
    const parts: string[] = [];
    const n = 1 + int(3);
    for (let i = 0; i < n; i++) {
      const key = chance(0.8) ? pick(keys) : pick(['unknown', '__proto__', 'constructor[prototype][x]', 'limit[]', 'sort', '$ne']);
      parts.push(`${key}=${queryValue()}`);
    }
    // At least one value is invalid for its key whatever was drawn: an unknown parameter.
    parts.push(`${pick(['x', 'debug', 'admin', 'where'])}=${queryValue()}`);
    return parts.join('&');
  };
  const badPhoneSegment = () =>
    pick(['abc', '12345', '1'.repeat(21), '%2e%2e', '%00', '..%2f..%2fetc', '153%201234%201234', encode(pick(INJECTIONS)), 'x'.repeat(3000), '%E0%A4%A']);

  const apiKeyHeaders = (): Record<string, string> => (chance(0.9) ? { 'x-api-key': TEST_API_KEY } : chance(0.5) ? { 'x-api-key': pick(INJECTIONS).replace(/[^\x20-\x7e]/g, '') } : {});

  const routes: Array<() => FuzzRequest> = [
    () => {
      const { contentType, body } = jsonBody({ phone: '15312341234' }, breakPhoneBody);
      return { method: 'POST', path: '/api/v1/authorizations/cancel', headers: { ...apiKeyHeaders(), 'content-type': contentType }, body };
    },
    () => {
      const { contentType, body } = jsonBody({ language: 'en-US' }, breakLanguageBody);
      return { method: 'POST', path: '/api/v1/authorizations/auth-url', headers: { ...apiKeyHeaders(), 'content-type': contentType }, body };
    },
    () => {
      const { contentType, body } = jsonBody(push(), breakPush, true);
      const token = chance(0.85) ? TEST_WEBHOOK_TOKEN : pick(['', 'wrong', pick(INJECTIONS)]);
      return { method: 'POST', path: `/api/v1/webhooks/viatom?token=${encode(token)}${chance(0.1) ? `&${query(['token'])}` : ''}`, headers: { 'content-type': contentType }, body };
    },
    () => ({ method: 'GET', path: `/api/v1/authorizations/${badPhoneSegment()}`, headers: apiKeyHeaders() }),
    () => ({ method: 'GET', path: `/api/v1/authorizations?${query(['status', 'limit', 'cursor'])}`, headers: apiKeyHeaders() }),
    () => ({ method: 'GET', path: `/api/v1/pushes?${query(['phone', 'type', 'outcome', 'limit', 'cursor'])}`, headers: apiKeyHeaders() }),
    () => ({ method: 'GET', path: `/api/v1/measurements?${query(['phone', 'dataType', 'from', 'to', 'limit', 'cursor'])}`, headers: apiKeyHeaders() }),
    () => ({ method: 'GET', path: `/api/v1/overview?${query(['hours'])}`, headers: apiKeyHeaders() }),
    () => ({
      method: pick(['PUT', 'DELETE', 'PATCH']),
      path: pick(['/api/v1/authorizations/cancel', '/api/v1/webhooks/viatom', '/api/v1/authorizations/15312341234', '/health']),
      headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify(push()),
    }),
  ];
  return () => pick(routes)();
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('fuzz on $name', (target) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi(target);
  });
  afterAll(() => h?.close());

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of ['push_log', 'user_authorization', 'measurement']) out[table] = Number((await h.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    return out;
  };

  it(`answers ${REQUESTS} malformed requests (seed ${SEED}) without a 5xx, stores nothing, and stays healthy`, async () => {
    // Something stored already, so "nothing stored" is not "the tables happen to be empty".
    await h.sandbox.send.authorized({ phone: '15312340000' });
    const before = await counts();
    expect(before.push_log).toBe(1);
    const callsBefore = h.sandbox.calls.length;

    const next = generator(SEED);
    const requests = Array.from({ length: REQUESTS }, next);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let index = 0;
    const worker = async () => {
      while (index < requests.length) {
        const r = requests[index++];
        let status: number;
        try {
          const res = await fetch(`${h.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
          status = res.status;
          await res.arrayBuffer();
        } catch (error) {
          status = -1;
          failures.push(`${r.method} ${r.path.slice(0, 120)}: ${(error as Error).message}`);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) failures.push(`${status} ${r.method} ${r.path.slice(0, 120)} ${String(typeof r.body === 'string' ? r.body.slice(0, 200) : r.body?.length ?? '')}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // 200 only where a GET found nothing to show (an empty page); 414/431: URL or headers too long (Node's limits).
    expect(Object.fromEntries([...statuses].filter(([s]) => ![200, 400, 401, 404, 413, 414, 415, 431].includes(s)))).toEqual({});
    const after = await counts();
    expect(after).toEqual(before);
    // No cancel reached Viatom. (An auth-url body `{"language": null}` means "the default language" and
    // is answered 200: asking for a consent URL changes nothing, so it is not counted.)
    expect(h.sandbox.calls.slice(callsBefore).filter((c) => c.endpoint !== 'jump_path')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${h.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'up' });
  }, 180_000);
});
