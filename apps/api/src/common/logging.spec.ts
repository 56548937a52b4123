import { Logger } from '@nestjs/common';
import { createRootLogger, PinoNestLogger } from './logging';

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
