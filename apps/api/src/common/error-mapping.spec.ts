import { isDatabaseUnavailable, toProblem } from './error-mapping';

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('driver error'), { code });
  const wrapped = (code: string) => Object.assign(new Error('QueryFailedError'), { driverError: withCode(code) });

  it.each(['ECONNREFUSED', 'ECONNRESET', '08006', '08001', '53300', '53100', '57P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_IOERR_WRITE', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_LOCKED'])(
    'treats %s as the database being unavailable (503)',
    (code) => {
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
      expect(isDatabaseUnavailable(wrapped(code))).toBe(true);
      expect(toProblem(wrapped(code))).toMatchObject({ status: 503, type: '/problems/database-unavailable' });
    },
  );

  it.each(['23505', '22P05', '42P01', 'SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_BUSYX'])('does not treat %s as an outage', (code) => {
    expect(isDatabaseUnavailable(wrapped(code))).toBe(false);
    expect(toProblem(wrapped(code)).status).toBe(500);
  });

  it("recognises TypeORM's own 'not connected' errors", () => {
    const notConnected = Object.assign(new Error('Cannot execute operation on "default" connection because connection is not yet established.'), {
      name: 'CannotExecuteNotConnectedError',
    });
    expect(isDatabaseUnavailable(notConnected)).toBe(true);
  });

  it.each(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError'])(
    'treats %s (TypeORM released the runner of a connection that died mid-transaction) as an outage',
    (name) => {
      expect(toProblem(Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name }))).toMatchObject({ status: 503 });
    },
  );
});
