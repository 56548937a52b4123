import { Logger } from '@nestjs/common';
import { createRootLogger, maskPhones, maskUrl, PinoNestLogger } from './logging';

// Nest's Logger, through PinoNestLogger, as the JSON lines pino writes.
describe('PinoNestLogger', () => {
  const capture = (level: 'info' | 'debug' | 'warn' = 'debug') => {
    const lines: Array<Record<string, unknown>> = [];
    const nest = new PinoNestLogger(createRootLogger({ logLevel: level }, { write: (line: string) => void lines.push(JSON.parse(line)) }));
    return { lines, nest };
  };

  it("writes a context logger's lines with their level and context, phone numbers masked", () => {
    const { lines, nest } = capture();
    const logger = new Logger('Ingest');
    Logger.overrideLogger(nest);
    try {
      logger.log('push for 15312341234 stored');
      logger.warn('slow');
      logger.debug('details');
      logger.verbose('not at debug level');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines.map(({ level, context, msg }) => ({ level, context, msg }))).toEqual([
      { level: 30, context: 'Ingest', msg: 'push for 153****1234 stored' },
      { level: 40, context: 'Ingest', msg: 'slow' },
      { level: 20, context: 'Ingest', msg: 'details' },
    ]);
  });

  it('keeps the stack of an error, and an Error given as the message', () => {
    const { lines, nest } = capture();
    nest.error('it broke', 'Error: it broke\n    at here', 'HTTP');
    nest.error(new Error('thrown'), 'HTTP');
    expect(lines[0]).toMatchObject({ level: 50, context: 'HTTP', msg: 'it broke', stack: 'Error: it broke\n    at here' });
    expect(lines[1]).toMatchObject({ level: 50, context: 'HTTP', msg: 'thrown', err: { message: 'thrown' } });
  });

  it('writes an object message as fields, credentials redacted, and nothing below the level', () => {
    const { lines, nest } = capture('info');
    nest.log({ event: 'x', secret: 'do-not-print', headers: { 'x-api-key': 'k-123' } }, 'Ctx');
    nest.debug('hidden', 'Ctx');
    expect(lines).toEqual([expect.objectContaining({ level: 30, context: 'Ctx', event: 'x', secret: '[Redacted]', headers: { 'x-api-key': '[Redacted]' } })]);
  });
});

describe('maskPhones', () => {
  it.each([
    ['a plain mobile', 'for 15312341234 stored', 'for 153****1234 stored'],
    ['country code +86', 'for +8615312341234', 'for +861****1234'],
    ['country code 0086 and 86', 'a 008615312341234 b 8615312341234', 'a 008****1234 b 861****1234'],
    ['spaces', 'call 153 1234 1234 now', 'call 153****1234 now'],
    ['dashes and dots', '153-1234-1234 or 153.1234.1234', '153****1234 or 153****1234'],
    ['brackets and a prefix', '(+86) 153-1234-1234', '(+861****1234'],
    ['full-width digits', '电话 １５３１２３４１２３４', '电话 153****1234'],
    ['full-width digits with separators', '＋８６ １５３ １２３４ １２３４', '+861****1234'],
    ['an international number', 'dial +44 20 7946 0958 or +1 (555) 123-4567', 'dial +442****0958 or +155****4567'],
    ['a plain international number', 'phone=+4915112345678', 'phone=+491****5678'],
  ])('masks %s', (_form, text, masked) => {
    expect(maskPhones(text)).toBe(masked);
  });

  it.each([
    ['epoch milliseconds', 'at 1732982400000 (13 digits)'],
    ['epoch seconds', 'at 1732982400'],
    ['a long id', 'row 153123412345678 of 20 digits: 12345678901234567890'],
    ['durations and counts', 'Viatom /api/v1/open/auth/jump_path: ok; 2 attempts in 240 ms; 1000000 rows'],
    ['an address', 'push refused from 172.16.131.112 and 10.131.123.114'],
    ['a date and time', 'update_time 2022-12-29 16:33:40.123'],
    ['a number not a mobile', 'code 109993, 12345678901 (11 digits, not 1[3-9])'],
    ['a plus and too few digits', 'offset +08:00, +12345'],
  ])('leaves %s readable', (_what, text) => {
    expect(maskPhones(text)).toBe(text);
  });
});

describe('maskUrl', () => {
  const ROUTE = '/api/v1/authorizations/:phone';

  it.each([
    ['plain', '/api/v1/authorizations/15312341234', '/api/v1/authorizations/153****1234'],
    ['with a country code, encoded', '/api/v1/authorizations/%2B8613912345678', '/api/v1/authorizations/+861****5678'],
    ['with spaces and dashes', '/api/v1/authorizations/153%201234-1234', '/api/v1/authorizations/153****1234'],
    ['in full-width digits', `/api/v1/authorizations/${encodeURIComponent('１５３１２３４１２３４')}`, '/api/v1/authorizations/153****1234'],
    ['short', '/api/v1/authorizations/123456', '/api/v1/authorizations/1****6'],
    ['not a number at all', `/api/v1/authorizations/${encodeURIComponent("153' OR 1=1")}`, '/api/v1/authorizations/[Redacted]'],
  ])('masks the phone parameter whole: %s', (_form, url, masked) => {
    expect(maskUrl(url, ROUTE)).toBe(masked);
  });

  it('masks phone-shaped numbers elsewhere in the path, and only those', () => {
    expect(maskUrl('/api/v1/things/153-1234-1234/1732982400000')).toBe('/api/v1/things/153****1234/1732982400000');
    expect(maskUrl('/api/v1/nope/15312341234', ROUTE)).toBe('/api/v1/nope/153****1234');
  });

  it.each([
    ['grouped 4-3-4', '/api/v1/x/1531-234-1234'],
    ['spaced separators', `/api/v1/x/${encodeURIComponent('153 - 1234 - 1234')}`],
    ['a trailing slash after the phone route', '/api/v1/authorizations/153-1234-1234/'],
    ['a country code and brackets', `/api/v1/x/${encodeURIComponent('(+86) 153.1234.1234')}`],
  ])('masks a whole path segment the phone rule reads as a mobile: %s', (_form, url) => {
    const route = url.startsWith('/api/v1/authorizations/') ? ROUTE : '/api/v1/x/:id';
    expect(maskUrl(url, route)).not.toMatch(/1234.?1234|234.?1234/);
    expect(maskUrl(url, route)).toContain('153****1234');
  });

  it('leaves segments that are no mobile readable: an epoch time, an id, an address', () => {
    expect(maskUrl('/api/v1/x/1694676339000/42/172.16.131.112/1694676339')).toBe('/api/v1/x/1694676339000/42/172.16.131.112/1694676339');
  });

  it('redacts every query value but the plain ones, which are masked', () => {
    expect(maskUrl('/api/v1/webhooks/viatom?token=secret-token-123456789')).toBe('/api/v1/webhooks/viatom?token=[Redacted]');
    expect(maskUrl('/api/v1/measurements?phone=15312341234&limit=5&type=2&flag')).toBe('/api/v1/measurements?phone=[Redacted]&limit=5&type=2&[Redacted]');
    expect(maskUrl('/api/v1/overview?hours=6')).toBe('/api/v1/overview?hours=6');
    expect(maskUrl('/api/v1/pushes?status=15312341234')).toBe('/api/v1/pushes?status=153****1234');
  });

  it('judges query keys and values as the server reads them, decoded; a bare value is redacted', () => {
    expect(maskUrl('/api/v1/pushes?15312341234')).toBe('/api/v1/pushes?[Redacted]');
    expect(maskUrl('/api/v1/webhooks/viatom?dev-webhook-token-change-me')).toBe('/api/v1/webhooks/viatom?[Redacted]');
    expect(maskUrl('/api/v1/pushes?phone%3D15312341234')).toBe('/api/v1/pushes?[Redacted]');
    expect(maskUrl('/api/v1/pushes?limit=%31%35%33%31%32%33%34%31%32%33%34')).toBe('/api/v1/pushes?limit=153****1234');
    expect(maskUrl('/api/v1/pushes?type=153%2012341234&type=153+1234+1234')).toBe('/api/v1/pushes?type=153****1234&type=153****1234');
    expect(maskUrl('/api/v1/pushes?15312341234=1&lim%69t=5')).toBe('/api/v1/pushes?[Redacted]=[Redacted]&limit=5');
    expect(maskUrl('/api/v1/pushes?limit=%zz')).toBe('/api/v1/pushes?limit=%zz');
  });
});
