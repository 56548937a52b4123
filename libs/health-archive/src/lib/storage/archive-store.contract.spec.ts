import { DataSource } from 'typeorm';
import { DataProtection } from '../protection/data-protection';
import { RowSealer } from './sealing';
import { startArchive, type ArchiveHarness } from '../../../test/archive-harness';
import { testDatabaseTargets } from '../../testing';
import type { AuthorizationChange } from '../authorization-rules';
import { healthArchiveDataSourceOptions } from '../database/data-source-options';
import { dialectOf } from '../database/dialect';
import { Authorization, AuthorizationStatus, RevokedBy } from '../entities/authorization';
import { ConsentAction, ConsentOutcome } from '../entities/consent-record';
import { PushOutcome } from '../entities/push-log-entry';
import { HEALTH_ARCHIVE_DATA_SOURCE } from '../health-archive.module';
import { ArchiveStore, type MeasurementPushRecord, type PushRecord } from './archive-store';
import { COUNT_PUSHES_BY_MINUTE_SQL, PostgresArchiveStore } from './postgres/postgres-archive-store';
import { countPushesByMinuteSql, SqliteArchiveStore } from './sqlite/sqlite-archive-store';
import { newEventId } from '../outbox/events';

/**
 * The storage port's contract, held against each adapter: the same calls give the same answers
 * and leave the same rows, on SQLite and on PostgreSQL.
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('ArchiveStore contract on $name', (target) => {
  let archive: ArchiveHarness;
  let store: ArchiveStore;

  beforeEach(async () => {
    archive = await startArchive(target);
    store = archive.module.get(ArchiveStore);
  });
  afterEach(() => archive?.close());

  let n = 0;
  const T0 = Date.parse('2026-03-01T08:00:00Z');
  const at = (minutes: number) => new Date(T0 + minutes * 60_000);
  const push = (overrides: Partial<PushRecord> = {}): PushRecord => {
    const tag = `contract-${++n}`;
    return {
      dedupeKey: `tag:${tag}`,
      dataTag: tag,
      type: 2,
      accountId: 'acc-1',
      memberId: 'mem-1',
      deviceSn: '',
      phone: '15300000001',
      sourceCreatedAt: at(0),
      sourceUpdatedAt: at(0),
      receivedAt: at(1),
      rawMessage: JSON.stringify({ type: 2, data_tag: tag, data: { phone: '15300000001' } }),
      orderedBy: 'source',
      ...overrides,
    };
  };
  const change = (status: AuthorizationStatus, phone: string, minutes: number, overrides: Partial<AuthorizationChange> = {}): AuthorizationChange => ({
    phone,
    status,
    at: at(minutes),
    accountId: 'acc-1',
    memberId: 'mem-1',
    revokedBy: status === AuthorizationStatus.Revoked ? RevokedBy.User : null,
    now: at(minutes + 1),
    ...overrides,
  });
  const grant = (phone: string, minutes: number, overrides: Partial<AuthorizationChange> = {}) => change(AuthorizationStatus.Authorized, phone, minutes, overrides);
  const revoke = (phone: string, minutes: number, overrides: Partial<AuthorizationChange> = {}) => change(AuthorizationStatus.Revoked, phone, minutes, overrides);
  const measurement = (overrides: Partial<MeasurementPushRecord> = {}): MeasurementPushRecord => {
    const base = push({ type: 1, phone: null });
    return {
      ...base,
      rawMessage: JSON.stringify({ type: 1, data_tag: base.dataTag, data: { data_type: 2, spo2: 97 } }),
      ignoredRawMessage: JSON.stringify({ type: 1, data_tag: base.dataTag, data: null }),
      dataType: 2,
      measuredAt: at(-5),
      data: { data_type: 2, spo2: 97 },
      observations: [{ name: 'spo2', value: 97, unit: '%' }],
      eventId: newEventId(),
      ...overrides,
    };
  };
  const logged = async (pushId: number) => (await store.listPushLog({ afterId: pushId + 1, take: 1 }))[0];

  it('is the adapter of its engine', () => {
    expect(store).toBeInstanceOf(target.name === 'postgres' ? PostgresArchiveStore : SqliteArchiveStore);
  });

  describe('pushes that change nothing', () => {
    it('logs them exactly as given, outcome ignored; a repeat gets the first answer and writes nothing', async () => {
      const record = push({ type: 77, phone: null, sourceUpdatedAt: null, rawMessage: '{"type":77,  "odd": "as sent"}', orderedBy: 'received-no-source-time' });
      const first = await store.recordIgnoredPush(record);
      const again = await store.recordIgnoredPush({ ...record, receivedAt: at(9), rawMessage: '{"type":77}' });
      expect(first).toEqual({ pushId: expect.any(Number), outcome: PushOutcome.Ignored, duplicate: false });
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await store.listPushLog({ afterId: null, take: 10 })).toEqual([
        expect.objectContaining({
          id: first.pushId,
          dedupeKey: record.dedupeKey,
          type: 77,
          phone: null,
          sourceCreatedAt: at(0),
          sourceUpdatedAt: null,
          receivedAt: at(1),
          outcome: PushOutcome.Ignored,
          rawMessage: '{"type":77,  "odd": "as sent"}',
          orderedBy: 'received-no-source-time',
        }),
      ]);
    });
  });

  describe('authorization changes', () => {
    it('creates the authorization of a new phone, and logs the push applied', async () => {
      const written = await store.recordAuthorizationChange(push(), grant('15300000001', 0));
      expect(written).toMatchObject({ outcome: PushOutcome.Applied, duplicate: false, change: { applied: true, transition: 'granted' } });
      const row = await store.findAuthorization('15300000001');
      expect(row).toEqual(
        Object.assign(new Authorization(), {
          id: expect.any(Number),
          phone: '15300000001',
          phoneHash: archive.module.get(DataProtection).phoneHash('15300000001'),
          status: AuthorizationStatus.Authorized,
          accountId: 'acc-1',
          memberId: 'mem-1',
          authorizedAt: at(0),
          revokedAt: null,
          revokedBy: null,
          lastChangeAt: at(0),
          createdAt: at(1),
          updatedAt: at(1),
          fhirPatientId: expect.stringMatching(/^[0-9a-f]{32}$/),
          dataDeletedFor: null,
        }),
      );
      expect(written.change?.authorization).toEqual(row);
      // The person's FHIR id is theirs for good: a later change keeps it, and it finds them.
      const revoked = await store.recordAuthorizationChange(push(), revoke('15300000001', 5));
      expect(revoked.change?.authorization.fhirPatientId).toBe(row?.fhirPatientId);
      expect(await store.findAuthorizationByFhirPatientId(row?.fhirPatientId as string)).toMatchObject({ phone: '15300000001', status: AuthorizationStatus.Revoked });
      expect(await store.findAuthorizationByFhirPatientId('0'.repeat(32))).toBeNull();
      expect((await logged(written.pushId)).outcome).toBe(PushOutcome.Applied);
    });

    it('applies a newer change, keeps an older one out (stale), and lets a revocation win a tie', async () => {
      const phone = '15300000002';
      await store.recordAuthorizationChange(push({ phone }), grant(phone, 10));
      const older = await store.recordAuthorizationChange(push({ phone }), revoke(phone, 5));
      const revoked = await store.recordAuthorizationChange(push({ phone }), revoke(phone, 20));
      const tie = await store.recordAuthorizationChange(push({ phone }), grant(phone, 20));
      const echo = await store.recordAuthorizationChange(push({ phone }), revoke(phone, 21, { revokedBy: RevokedBy.Integrator }));

      expect([older, revoked, tie, echo].map((w) => [w.outcome, w.change?.applied, w.change?.applied ? w.change.transition : null])).toEqual([
        [PushOutcome.Stale, false, null],
        [PushOutcome.Applied, true, 'revoked'],
        [PushOutcome.Stale, false, null],
        [PushOutcome.Applied, true, 'unchanged'],
      ]);
      // A revoked record keeps who revoked it first; its time is the newest revocation's.
      expect(await store.findAuthorization(phone)).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.User, revokedAt: at(21), lastChangeAt: at(21), authorizedAt: at(10) });
      expect((await logged(older.pushId)).outcome).toBe(PushOutcome.Stale);
      expect((await logged(tie.pushId)).outcome).toBe(PushOutcome.Stale);
    });

    it('orders by orderAt when given, and keeps the account when a change has none', async () => {
      const phone = '15300000003';
      await store.recordAuthorizationChange(push({ phone }), grant(phone, 30, { orderAt: at(20) }));
      const between = await store.recordAuthorizationChange(push({ phone }), revoke(phone, 25, { accountId: '', memberId: '' }));
      expect(between.outcome).toBe(PushOutcome.Applied);
      expect(await store.findAuthorization(phone)).toMatchObject({ status: AuthorizationStatus.Revoked, accountId: 'acc-1', memberId: 'mem-1', lastChangeAt: at(25) });
    });

    it('applies a repeat once: the second delivery gets the first answer, no change, nothing written', async () => {
      const record = push({ phone: '15300000004' });
      const first = await store.recordAuthorizationChange(record, grant('15300000004', 0));
      const [inBatch, later] = await Promise.all([
        store.recordAuthorizationChange(record, revoke('15300000004', 50)),
        store.recordAuthorizationChange({ ...record, receivedAt: at(60) }, revoke('15300000004', 60)),
      ]);
      for (const repeat of [inBatch, later]) expect(repeat).toEqual({ pushId: first.pushId, outcome: PushOutcome.Applied, duplicate: true, change: null });
      expect(await store.findAuthorization('15300000004')).toMatchObject({ status: AuthorizationStatus.Authorized, lastChangeAt: at(0) });
      expect(await store.listPushLog({ afterId: null, take: 10 })).toHaveLength(1);
    });

    it('decides the other changes of a moment without a repeat among them', async () => {
      const phone = '15300000007';
      const record = push({ phone });
      const first = await store.recordAuthorizationChange(record, grant(phone, 0));
      // The repeat comes first in the moment and would revoke at 30 if it were applied: the grant at 20 must be decided without it.
      const [repeat, fresh, older] = await Promise.all([
        store.recordAuthorizationChange(record, revoke(phone, 30)),
        store.recordAuthorizationChange(push({ phone }), grant(phone, 20)),
        store.recordAuthorizationChange(push({ phone }), revoke(phone, 10)),
      ]);
      expect(repeat).toEqual({ pushId: first.pushId, outcome: PushOutcome.Applied, duplicate: true, change: null });
      expect([fresh.outcome, older.outcome]).toEqual([PushOutcome.Applied, PushOutcome.Stale]);
      expect(await store.findAuthorization(phone)).toMatchObject({ status: AuthorizationStatus.Authorized, authorizedAt: at(20), lastChangeAt: at(20) });
      expect((await logged(fresh.pushId)).outcome).toBe(PushOutcome.Applied);
      expect((await logged(older.pushId)).outcome).toBe(PushOutcome.Stale);
    });

    it('creates nothing for a repeat that names another, new phone (the same data_tag)', async () => {
      const record = push({ phone: '15300000008' });
      const first = await store.recordAuthorizationChange(record, grant('15300000008', 0));
      const again = await store.recordAuthorizationChange({ ...record, phone: '15300000009' }, grant('15300000009', 5));
      expect(again).toEqual({ pushId: first.pushId, outcome: PushOutcome.Applied, duplicate: true, change: null });
      expect(await store.findAuthorization('15300000009')).toBeNull();
      expect((await store.listAuthorizations({ afterId: null, take: 10 })).map((a) => a.phone)).toEqual(['15300000008']);
    });

    it('decides many changes for one phone in one moment one after the other, in arrival order, each answered with its own state', async () => {
      const phone = '15300000005';
      const minutes = [3, 1, 4, 1.5, 9, 2, 6, 5, 8, 7];
      const written = await Promise.all(minutes.map((m, i) => store.recordAuthorizationChange(push({ phone }), (i % 2 ? revoke : grant)(phone, m))));
      // Applied exactly when newer than every change before it in arrival order.
      let newest = -Infinity;
      const expected = minutes.map((m) => (m > newest ? ((newest = m), PushOutcome.Applied) : PushOutcome.Stale));
      expect(written.map((w) => w.outcome)).toEqual(expected);
      expect(written[4].change).toMatchObject({ applied: true, authorization: { status: AuthorizationStatus.Authorized, lastChangeAt: at(9) } });
      expect(written[2].change).toMatchObject({ applied: true, authorization: { status: AuthorizationStatus.Authorized, lastChangeAt: at(4) } });
      expect(await store.findAuthorization(phone)).toMatchObject({ status: AuthorizationStatus.Authorized, lastChangeAt: at(9) });
      const ids = new Set(written.map((w) => w.change?.authorization.id));
      expect(ids.size).toBe(1);
    });

    it("takes the integrator's cancel as happening now, after a change that Viatom dated later", async () => {
      const phone = '15300000006';
      await store.recordAuthorizationChange(push({ phone }), grant(phone, 100));
      const cancel = await store.applyAuthorizationChange(revoke(phone, 50, { accountId: '', memberId: '', revokedBy: RevokedBy.Integrator, confirmedNow: true }));
      expect(cancel).toMatchObject({ applied: true, transition: 'revoked', authorization: { status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator, revokedAt: at(100), accountId: 'acc-1' } });
      const unknown = await store.applyAuthorizationChange(revoke('15300000099', 50, { accountId: '', memberId: '', revokedBy: RevokedBy.Integrator, confirmedNow: true }));
      expect(unknown).toMatchObject({ applied: true, transition: 'revoked', authorization: { phone: '15300000099', accountId: '' } });
      expect(await store.listPushLog({ afterId: null, take: 10 })).toHaveLength(1);
    });

    it('keeps one row per phone and the newest change when another replica writes the same new phones at the same time', async () => {
      const other = await new DataSource(healthArchiveDataSourceOptions({
          ...(archive.dataSource.options.type === 'postgres' ? postgresOptions(archive) : sqliteOptions(archive)),
          dataProtection: archive.module.get(DataProtection),
        })).initialize();
      try {
        const sealer = new RowSealer(archive.module.get(DataProtection));
        const replica = dialectOf(other) === 'postgres' ? new PostgresArchiveStore(other, sealer) : new SqliteArchiveStore(other, sealer);
        // Both pools connected first, so that both batches of a round reach the database together.
        await Promise.all([store, replica].flatMap((s) => Array.from({ length: 5 }, () => s.ping())));
        for (let round = 0; round < 5; round++) {
          const phones = Array.from({ length: 40 }, (_, i) => `153${round}001${String(i).padStart(4, '0')}`);
          const written = await Promise.all(
            [store, replica].flatMap((s, r) =>
              phones.map((phone, i) => s.recordAuthorizationChange(push({ phone }), (r === 0 ? grant : revoke)(phone, r === 0 ? i : 100 - i))),
            ),
          );
          expect(written.every((w) => w.outcome === PushOutcome.Applied || w.outcome === PushOutcome.Stale)).toBe(true);
        }
        const rows = await store.listAuthorizations({ afterId: null, take: 1000 });
        expect(rows).toHaveLength(200);
        // The revocations are dated later: whatever the interleaving, they are what each phone says.
        for (const row of rows) expect(row).toMatchObject({ status: AuthorizationStatus.Revoked, lastChangeAt: at(100 - Number(row.phone.slice(-4))) });
      } finally {
        await other.destroy();
      }
    });
    (target.name === 'postgres' ? it : it.skip)('goes on writing after a migration changed the type of a column its prepared statements return', async () => {
      // Prepared on several pooled connections at once, then the column changes under them.
      await Promise.all(Array.from({ length: 6 }, (_, i) => store.recordAuthorizationChange(push({ phone: `1530002000${i}` }), grant(`1530002000${i}`, 0))));
      await archive.dataSource.query('ALTER TABLE "user_authorization" ALTER COLUMN "revoked_by" TYPE varchar(24)');
      const after = [];
      for (let i = 0; i < 6; i++) after.push(await store.recordAuthorizationChange(push({ phone: `1530002000${i}` }), revoke(`1530002000${i}`, 5)));
      expect(after.map((w) => w.outcome)).toEqual(Array(6).fill(PushOutcome.Applied));
      expect((await store.listAuthorizations({ status: AuthorizationStatus.Revoked, afterId: null, take: 10 })).length).toBe(6);
    });
  });

  describe('the consent ledger', () => {
    const ledger = async (phone: string) => (await store.listConsents({ phone, afterId: null, take: 100 })).reverse();

    it('records every grant and withdrawal decided, applied or stale, with what carried it; a repeat adds nothing', async () => {
      const phone = '15300000010';
      const grantPush = push({ phone });
      const granted = await store.recordAuthorizationChange(grantPush, grant(phone, 10));
      await store.recordAuthorizationChange(grantPush, grant(phone, 10)); // a repeat
      const stale = await store.recordAuthorizationChange(push({ phone }), revoke(phone, 5));
      await store.applyAuthorizationChange(revoke(phone, 20, { accountId: '', memberId: '', revokedBy: RevokedBy.Integrator, confirmedNow: true, requestId: 'req-cancel-1' }));
      const echo = await store.recordAuthorizationChange(push({ phone, type: 3 }), revoke(phone, 21));
      const phoneHash = archive.module.get(DataProtection).phoneHash(phone);
      expect(await ledger(phone)).toEqual([
        { id: expect.any(Number), phoneHash, action: ConsentAction.Granted, actor: 'user', sourceAt: at(10), receivedAt: at(11), outcome: ConsentOutcome.Applied, pushId: granted.pushId, requestId: null },
        { id: expect.any(Number), phoneHash, action: ConsentAction.Withdrawn, actor: 'user', sourceAt: at(5), receivedAt: at(6), outcome: ConsentOutcome.Stale, pushId: stale.pushId, requestId: null },
        { id: expect.any(Number), phoneHash, action: ConsentAction.Withdrawn, actor: 'integrator', sourceAt: at(20), receivedAt: at(21), outcome: ConsentOutcome.Applied, pushId: null, requestId: 'req-cancel-1' },
        { id: expect.any(Number), phoneHash, action: ConsentAction.Withdrawn, actor: 'user', sourceAt: at(21), receivedAt: at(22), outcome: ConsentOutcome.Applied, pushId: echo.pushId, requestId: null },
      ]);
      expect(await ledger('15300000011')).toEqual([]);
    });

    it('records the changes of one moment in arrival order, with their own outcomes and pushes', async () => {
      const phone = '15300000012';
      const minutes = [3, 1, 4, 2];
      const written = await Promise.all(minutes.map((m, i) => store.recordAuthorizationChange(push({ phone }), (i % 2 ? revoke : grant)(phone, m))));
      const rows = await ledger(phone);
      expect(rows.map((r) => [r.pushId, r.outcome, r.sourceAt])).toEqual(written.map((w, i) => [w.pushId, w.outcome === PushOutcome.Applied ? 'applied' : 'stale', at(minutes[i])]));
    });

    it('pages newest first', async () => {
      const phone = '15300000013';
      for (let m = 0; m < 5; m++) await store.recordAuthorizationChange(push({ phone }), grant(phone, m));
      const first = await store.listConsents({ phone, afterId: null, take: 2 });
      const next = await store.listConsents({ phone, afterId: first[1].id, take: 10 });
      expect([...first, ...next].map((r) => r.sourceAt)).toEqual([4, 3, 2, 1, 0].map(at));
    });
  });

  describe('the access audit', () => {
    const entry = (minutes: number, phoneHash: string, overrides = {}) => ({ at: at(minutes), apiKey: 'crm', method: 'GET', route: '/api/v1/authorizations/:phone', phoneHash, requestId: `req-${minutes}`, status: 200, ...overrides });

    it('keeps what it is given, lists newest first by person and time, and purges by age', async () => {
      await store.recordAccess([entry(0, 'a'.repeat(64)), entry(0, 'b'.repeat(64), { requestId: null })]);
      await store.recordAccess([entry(10, 'a'.repeat(64), { apiKey: 'key-1a2b3c4d', route: '/fhir/Patient/:id', status: 201 })]);
      await store.recordAccess([]);
      const all = await store.listAccess({ afterId: null, take: 10 });
      expect(all.map((r) => [r.at, r.apiKey, r.route, r.phoneHash.slice(0, 1), r.requestId, r.status])).toEqual([
        [at(10), 'key-1a2b3c4d', '/fhir/Patient/:id', 'a', 'req-10', 201],
        [at(0), 'crm', '/api/v1/authorizations/:phone', 'b', null, 200],
        [at(0), 'crm', '/api/v1/authorizations/:phone', 'a', 'req-0', 200],
      ]);
      expect((await store.listAccess({ phoneHash: 'a'.repeat(64), afterId: null, take: 10 })).map((r) => r.at)).toEqual([at(10), at(0)]);
      expect((await store.listAccess({ from: at(5), afterId: null, take: 10 })).map((r) => r.at)).toEqual([at(10)]);
      expect((await store.listAccess({ to: at(10), afterId: null, take: 10 })).map((r) => r.at)).toEqual([at(0), at(0)]);
      expect(await store.listAccess({ afterId: all[1].id, take: 10 })).toEqual([all[2]]);
      expect(await store.purgeAccess(at(5))).toBe(2);
      expect((await store.listAccess({ afterId: null, take: 10 })).map((r) => r.at)).toEqual([at(10)]);
    });
  });

  describe('measurements', () => {
    const owner = (phone: string, accountId: string, status: AuthorizationStatus) =>
      store.recordAuthorizationChange(push({ phone, accountId }), change(status, phone, 0, { accountId }));

    it('archives the measurement of an unknown account, and of an account with one authorized owner among revoked ones', async () => {
      await owner('15300000010', 'acc-shared', AuthorizationStatus.Revoked);
      await owner('15300000011', 'acc-shared', AuthorizationStatus.Authorized);
      const unknown = await store.recordMeasurement(measurement({ accountId: 'acc-unknown' }));
      const shared = await store.recordMeasurement(measurement({ accountId: 'acc-shared' }));
      for (const w of [unknown, shared]) expect(w).toMatchObject({ outcome: PushOutcome.Archived, duplicate: false, measurementId: expect.any(Number) });
      // The log names the authorized owner's phone when the push has none.
      expect((await logged(shared.pushId)).phone).toBe('15300000011');
      expect((await logged(unknown.pushId)).phone).toBeNull();
      const [m] = await store.listMeasurements({ accountId: 'acc-shared', afterId: null, take: 10 });
      expect(m).toMatchObject({ id: shared.measurementId, pushId: shared.pushId, dataType: 2, measuredAt: at(-5), data: { data_type: 2, spo2: 97 }, receivedAt: at(1) });
    });

    it("refuses the data of an account whose owners have all withdrawn: logged ignored, with the owner's phone and the message without data", async () => {
      await owner('15300000012', 'acc-gone', AuthorizationStatus.Revoked);
      const record = measurement({ accountId: 'acc-gone' });
      const refused = await store.recordMeasurement(record);
      expect(refused).toEqual({ pushId: expect.any(Number), outcome: PushOutcome.Ignored, duplicate: false, measurementId: null });
      expect(await logged(refused.pushId)).toMatchObject({ outcome: PushOutcome.Ignored, phone: '15300000012', rawMessage: record.ignoredRawMessage });
      expect(await store.listMeasurements({ afterId: null, take: 10 })).toEqual([]);
    });

    it('keeps a repeat out, within one moment and later, and keeps data that is no object as given', async () => {
      const record = measurement({ data: [1, 'two', { three: 3 }], dataType: null, measuredAt: null });
      const [first, inBatch] = await Promise.all([store.recordMeasurement(record), store.recordMeasurement(record)]);
      const later = await store.recordMeasurement({ ...record, receivedAt: at(9) });
      expect(inBatch).toEqual({ ...first, duplicate: true, measurementId: null });
      expect(later).toEqual({ ...first, duplicate: true, measurementId: null });
      expect(await store.listMeasurements({ afterId: null, take: 10 })).toEqual([expect.objectContaining({ data: [1, 'two', { three: 3 }], dataType: null, measuredAt: null })]);
    });
  });

  describe('reads', () => {
    it('lists newest first, filtered, a page at a time', async () => {
      for (const [i, status] of [AuthorizationStatus.Authorized, AuthorizationStatus.Revoked, AuthorizationStatus.Authorized].entries()) {
        await store.recordAuthorizationChange(push({ phone: `1530000002${i}`, accountId: `acc-${i}` }), change(status, `1530000002${i}`, 0, { accountId: `acc-${i}` }));
      }
      const all = await store.listAuthorizations({ afterId: null, take: 10 });
      expect(all.map((a) => a.phone)).toEqual(['15300000022', '15300000021', '15300000020']);
      expect((await store.listAuthorizations({ status: AuthorizationStatus.Authorized, afterId: null, take: 10 })).map((a) => a.phone)).toEqual(['15300000022', '15300000020']);
      expect((await store.listAuthorizations({ afterId: all[0].id, take: 1 })).map((a) => a.phone)).toEqual(['15300000021']);

      const ms = [];
      for (const [i, dataType] of [1, 2, 2].entries()) ms.push(await store.recordMeasurement(measurement({ accountId: 'acc-0', dataType, measuredAt: at(i * 10) })));
      const ids = (filter: Parameters<ArchiveStore['listMeasurements']>[0]) => store.listMeasurements(filter).then((rows) => rows.map((m) => m.id));
      expect(await ids({ accountId: 'acc-0', dataType: 2, afterId: null, take: 10 })).toEqual([ms[2].measurementId, ms[1].measurementId]);
      expect(await ids({ from: at(10), to: at(20), afterId: null, take: 10 })).toEqual([ms[1].measurementId]);
      expect(await ids({ accountId: 'acc-none', afterId: null, take: 10 })).toEqual([]);
      expect(await ids({ dataTypes: [1, 3], afterId: null, take: 10 })).toEqual([ms[0].measurementId]);
      expect(await ids({ dataTypes: [], afterId: null, take: 10 })).toEqual([]);
      expect(await store.findMeasurement(ms[1].measurementId as number)).toMatchObject({ id: ms[1].measurementId, observations: [{ name: 'spo2', value: 97, unit: '%' }] });
      expect(await store.findMeasurement(999_999)).toBeNull();
      expect((await store.findAuthorizationsOfAccount('acc-0')).map((a) => a.phone)).toEqual(['15300000020']);
      expect(await store.findAuthorizationsOfAccount('')).toEqual([]);
      expect((await store.listPushLog({ type: 1, outcome: PushOutcome.Archived, afterId: null, take: 2 })).map((p) => p.id)).toEqual([ms[2].pushId, ms[1].pushId]);
      expect((await store.listPushLog({ phone: '15300000021', afterId: null, take: 10 })).map((p) => p.type)).toEqual([2]);
    });
  });

  describe('the push log counted by minute', () => {
    const second = (s: number) => new Date(T0 + s * 1000);
    const counted = (from: Date, to: Date, types: readonly number[] = [1, 2, 3]) => store.countPushesByMinute({ from, to, types });
    /** Pushes in 08:01, 08:02 and 08:03, and one just outside each end of the window 08:01:00.000–08:03:10.000. */
    const logSomePushes = async () => {
      const phone = '15300000040';
      await store.recordAuthorizationChange(push({ phone, receivedAt: second(60) }), grant(phone, 0)); // the window's first instant
      const older = push({ phone, receivedAt: new Date(T0 + 119_999) });
      await store.recordAuthorizationChange(older, grant(phone, -10)); // stale
      await store.recordAuthorizationChange({ ...older, receivedAt: second(100) }, grant(phone, -10)); // its repeat: one push
      // Another account than the phone's, so that its revocation below refuses none of them.
      await store.recordMeasurement(measurement({ accountId: 'acc-m', receivedAt: second(75) }));
      await store.recordMeasurement(measurement({ accountId: 'acc-m', receivedAt: second(80) }));
      await store.recordIgnoredPush(push({ type: 77, phone: null, receivedAt: second(90) }));
      await store.recordIgnoredPush(push({ type: null, phone: null, receivedAt: second(95) }));
      await store.recordAuthorizationChange(push({ type: 3, phone, receivedAt: second(130) }), revoke(phone, 2));
      await store.recordIgnoredPush(push({ type: 99, phone: null, receivedAt: second(150) }));
      await store.recordMeasurement(measurement({ accountId: 'acc-m', receivedAt: second(190) })); // the window's last instant
      await store.recordMeasurement(measurement({ accountId: 'acc-m', receivedAt: new Date(T0 + 59_999) }));
      await store.recordMeasurement(measurement({ accountId: 'acc-m', receivedAt: new Date(T0 + 190_001) }));
    };

    it('counts a window by minute of receipt, type (any other, or none, as null) and outcome, both ends included, a repeat once', async () => {
      await logSomePushes();
      expect(await counted(second(60), second(190))).toEqual([
        { minute: at(1), type: 1, outcome: PushOutcome.Archived, count: 2 },
        { minute: at(1), type: 2, outcome: PushOutcome.Applied, count: 1 },
        { minute: at(1), type: 2, outcome: PushOutcome.Stale, count: 1 },
        { minute: at(1), type: null, outcome: PushOutcome.Ignored, count: 2 },
        { minute: at(2), type: 3, outcome: PushOutcome.Applied, count: 1 },
        { minute: at(2), type: null, outcome: PushOutcome.Ignored, count: 1 },
        { minute: at(3), type: 1, outcome: PushOutcome.Archived, count: 1 },
      ]);
      // The types counted apart are the caller's: here 2 alone, the others fall together by outcome (null last in each minute).
      expect(await counted(second(120), second(180), [2])).toEqual([
        { minute: at(2), type: null, outcome: PushOutcome.Applied, count: 1 },
        { minute: at(2), type: null, outcome: PushOutcome.Ignored, count: 1 },
      ]);
      expect(await counted(second(60), new Date(T0 + 119_999), [2])).toEqual([
        { minute: at(1), type: 2, outcome: PushOutcome.Applied, count: 1 },
        { minute: at(1), type: 2, outcome: PushOutcome.Stale, count: 1 },
        { minute: at(1), type: null, outcome: PushOutcome.Archived, count: 2 },
        { minute: at(1), type: null, outcome: PushOutcome.Ignored, count: 2 },
      ]);
      expect(await counted(at(10), at(20))).toEqual([]);
    });

    it('reads the window from the index by received time alone, whatever the table holds', async () => {
      if (target.name === 'sqlite') {
        const plan: Array<{ detail: string }> = await archive.dataSource.query(`EXPLAIN QUERY PLAN ${countPushesByMinuteSql(3)}`, [1, 2, 3, '2026-03-01 08:00:00.000', '2026-03-01 09:00:00.000']);
        expect(plan.map((row) => row.detail).join('\n')).toMatch(/SEARCH push_log USING COVERING INDEX IDX_push_log_received_at_type_outcome \(received_at>\? AND received_at<\?\)/);
        return;
      }
      // An empty table would be read whole (cheaper there): the plan asked for is the one of a large table.
      const runner = archive.dataSource.createQueryRunner();
      try {
        await runner.query('SET enable_seqscan = off');
        await runner.query(`PREPARE counted(timestamptz, timestamptz, integer[]) AS ${COUNT_PUSHES_BY_MINUTE_SQL}`);
        const plan = (await runner.query(`EXPLAIN EXECUTE counted('2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z', '{1,2,3}')`)).map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index Only Scan using "IDX_push_log_received_at_type_outcome" on push_log/);
        expect(plan).toMatch(/Index Cond: \(\(received_at >= .*\) AND \(received_at <= .*\)\)/);
      } finally {
        await runner.query('DEALLOCATE ALL');
        await runner.query('RESET enable_seqscan');
        await runner.release();
      }
    });
  });

  describe('observations', () => {
    const bp = (systolic: number, diastolic: number | null, deviceSn = 'BP-1') =>
      store.recordMeasurement(
        measurement({
          dataType: 3,
          deviceSn,
          data: { data_type: 3, measure_result: { sbp: systolic, dia: diastolic } },
          observations: [
            { name: 'systolic', value: systolic, unit: 'mm[Hg]' },
            ...(diastolic === null ? [] : [{ name: 'diastolic', value: diastolic, unit: 'mm[Hg]' }]),
          ],
        }),
      );

    it('keeps them with the measurement, in the same write, exactly as given', async () => {
      const written = await bp(141.5, 92);
      const [m] = await store.listMeasurements({ afterId: null, take: 1 });
      expect(m).toMatchObject({ id: written.measurementId, observations: [
        { name: 'systolic', value: 141.5, unit: 'mm[Hg]' },
        { name: 'diastolic', value: 92, unit: 'mm[Hg]' },
      ] });
      // A refused measurement keeps none (it keeps no measurement at all).
      await store.recordAuthorizationChange(push({ phone: '15300000031', accountId: 'acc-gone' }), revoke('15300000031', 0, { accountId: 'acc-gone' }));
      await store.recordMeasurement(measurement({ accountId: 'acc-gone', observations: [{ name: 'spo2', value: 90, unit: '%' }] }));
      expect(await store.listMeasurements({ accountId: 'acc-gone', afterId: null, take: 10 })).toEqual([]);
    });

    it('filters by an observation within a range, both ends inclusive, and pages the filtered list', async () => {
      const [a, b, c, d] = [await bp(120, 80), await bp(140, 90), await bp(160, 100), await bp(139.9, null)];
      await store.recordMeasurement(measurement());
      const ids = (observation: { name: string; min?: number; max?: number }, afterId: number | null = null, take = 10) =>
        store.listMeasurements({ observation, afterId, take }).then((rows) => rows.map((m) => m.id));
      expect(await ids({ name: 'systolic', min: 140 })).toEqual([c.measurementId, b.measurementId]);
      expect(await ids({ name: 'systolic', max: 140 })).toEqual([d.measurementId, b.measurementId, a.measurementId]);
      expect(await ids({ name: 'systolic', min: 130, max: 150 })).toEqual([d.measurementId, b.measurementId]);
      expect(await ids({ name: 'diastolic', min: 0 })).toEqual([c.measurementId, b.measurementId, a.measurementId]);
      expect(await ids({ name: 'systolic' })).toEqual([d.measurementId, c.measurementId, b.measurementId, a.measurementId]);
      expect(await ids({ name: 'glucose' })).toEqual([]);
      expect(await ids({ name: 'systolic', min: 140 }, c.measurementId, 1)).toEqual([b.measurementId]);
    });

    it('knows the devices it has measurements from', async () => {
      await bp(120, 80, 'BP-7');
      expect(await store.hasDevice('BP-7')).toBe(true);
      expect(await store.hasDevice('BP-8')).toBe(false);
    });
  });

  describe('statements of the libs beside the archive', () => {
    // Placeholders are the engine's; the delivery lib numbers them for PostgreSQL.
    const q = (sql: string) => (target.name === 'postgres' ? sql.replace(/\?/g, ((n) => () => `$${++n}`)(0)) : sql);
    const cursor = (name: string) => [name, 'p0', null, null, new Date().toISOString()];
    const insert = q('INSERT INTO "outbox_cursor" ("name", "position", "lease_owner", "lease_until", "updated_at") VALUES (?, ?, ?, ?, ?) RETURNING "name"');
    const positions = async () => (await store.runStatement(q('SELECT "name", "position" FROM "outbox_cursor" ORDER BY "name"'), [])).map((r) => `${String(r['name'])}=${String(r['position'])}`);

    it('runs a write, a write with RETURNING and a read, answering their rows', async () => {
      expect(await store.runStatement(insert, cursor('a'))).toEqual([{ name: 'a' }]);
      expect(await store.runStatement(q('UPDATE "outbox_cursor" SET "position" = ? WHERE "name" = ?'), ['p1', 'a'])).toEqual([]);
      expect(await positions()).toEqual(['a=p1']);
    });

    it('runs several all or none: a failing one leaves nothing of the others, and the writes around them go on', async () => {
      await store.runStatement(insert, cursor('a'));
      // The second statement breaks the primary key: the first is undone with it.
      const together = store.runStatements([
        { sql: insert, params: cursor('b') },
        { sql: insert, params: cursor('a') },
      ]);
      // A write of the archive queued beside them (the same group on SQLite) is committed all the same.
      const beside = store.recordIgnoredPush(push({ type: 9 }));
      await expect(together).rejects.toThrow();
      await expect(beside).resolves.toMatchObject({ outcome: PushOutcome.Ignored });
      expect(await positions()).toEqual(['a=p0']);
      expect(await store.runStatements([{ sql: insert, params: cursor('c') }, { sql: q('SELECT COUNT(*) AS "n" FROM "outbox_cursor"'), params: [] }])).toEqual([
        [{ name: 'c' }],
        [{ n: target.name === 'postgres' ? '2' : 2 }],
      ]);
    });

    it('refuses a bad statement without harm to the next', async () => {
      await expect(store.runStatement('SELECT * FROM "no_such_table"', [])).rejects.toThrow();
      expect(await store.runStatement(insert, cursor('d'))).toEqual([{ name: 'd' }]);
    });
  });

  describe('health', () => {
    it('answers a ping, has no pending migration, and tells its pool (PostgreSQL) or none (SQLite)', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.pendingMigrations()).toEqual([]);
      if (target.name === 'postgres') expect(store.poolState()).toEqual({ total: expect.any(Number), idle: expect.any(Number), waiting: 0 });
      else expect(store.poolState()).toBeNull();
      // SQLite: a commit is on disk before it is answered (FULL, not better-sqlite3's WAL default NORMAL).
      if (target.name === 'sqlite') expect(await archive.dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    });

    it('fails every write while the database is closed, writes nothing half, and works again once it is back', async () => {
      const dataSource = archive.module.get<DataSource>(HEALTH_ARCHIVE_DATA_SOURCE);
      await dataSource.destroy();
      const settled = await Promise.allSettled([
        store.recordAuthorizationChange(push({ phone: '15300000030' }), grant('15300000030', 0)),
        store.recordMeasurement(measurement()),
        store.recordIgnoredPush(push({ type: 9 })),
        store.ping(),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
      await dataSource.initialize();
      expect(await store.listPushLog({ afterId: null, take: 10 })).toEqual([]);
      expect(await store.findAuthorization('15300000030')).toBeNull();
      await expect(store.recordAuthorizationChange(push({ phone: '15300000030' }), grant('15300000030', 0))).resolves.toMatchObject({ outcome: PushOutcome.Applied });
    });
  });
});

function sqliteOptions(archive: ArchiveHarness) {
  return { url: `sqlite:${archive.dataSource.options.database as string}` };
}

function postgresOptions(archive: ArchiveHarness) {
  const options = archive.dataSource.options as { url?: string; schema?: string };
  return { url: options.url as string, schema: options.schema, poolSize: 5 };
}
