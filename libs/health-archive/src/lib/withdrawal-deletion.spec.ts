import { startArchive, type ArchiveHarness } from '../../test/archive-harness';
import { testDatabaseTargets, testDataProtectionKeys } from '../testing';
import type { AuthorizationChange } from './authorization-rules';
import { AuthorizationStatus, RevokedBy } from './entities/authorization';
import { PushOutcome } from './entities/push-log-entry';
import { EventFeed } from './outbox/event-feed';
import { newEventId } from './outbox/events';
import { ArchiveStore, type MeasurementPushRecord, type PushRecord } from './storage/archive-store';
import { RawPayloadRetention, WithdrawalDeletion } from './withdrawal-deletion';

const GRACE_MS = 60_000;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('deletion on withdrawal on $name', (target) => {
  let archive: ArchiveHarness;
  let store: ArchiveStore;
  let deletion: WithdrawalDeletion;

  beforeEach(async () => {
    // The sweep is driven by the test (a long interval: the module's own timer stays out of the way).
    archive = await startArchive(target, undefined, { dataRetentionAfterWithdrawalMs: GRACE_MS, withdrawalSweepIntervalMs: 3_600_000 });
    store = archive.module.get(ArchiveStore);
    deletion = archive.module.get(WithdrawalDeletion);
  });
  afterEach(() => archive?.close());

  let n = 0;
  const T0 = Date.parse('2026-03-01T08:00:00Z');
  const at = (minutes: number) => new Date(T0 + minutes * 60_000);
  const push = (type: number, phone: string | null, accountId: string, minutes: number, data: unknown = { phone }): PushRecord => {
    const tag = `wd-${++n}`;
    return {
      dedupeKey: `tag:${tag}`,
      dataTag: tag,
      type,
      accountId,
      memberId: 'mem',
      deviceSn: 'SN',
      phone,
      sourceCreatedAt: at(minutes),
      sourceUpdatedAt: at(minutes),
      receivedAt: at(minutes),
      rawMessage: JSON.stringify({ type, data_tag: tag, account_id: accountId, data }),
      orderedBy: 'source',
    };
  };
  const change = (status: AuthorizationStatus, phone: string, accountId: string, minutes: number): AuthorizationChange => ({
    phone,
    status,
    at: at(minutes),
    accountId,
    memberId: 'mem',
    revokedBy: status === AuthorizationStatus.Revoked ? RevokedBy.User : null,
    now: at(minutes),
  });
  const grant = (phone: string, accountId: string, minutes: number) =>
    store.recordAuthorizationChange(push(2, phone, accountId, minutes), change(AuthorizationStatus.Authorized, phone, accountId, minutes));
  const revoke = (phone: string, accountId: string, minutes: number) =>
    store.recordAuthorizationChange(push(3, phone, accountId, minutes), change(AuthorizationStatus.Revoked, phone, accountId, minutes));
  const measure = (accountId: string, minutes: number) => {
    const data = { data_type: 3, measure_result: { sbp: 120, dia: 80 } };
    const record: MeasurementPushRecord = {
      ...push(1, null, accountId, minutes, data),
      ignoredRawMessage: '{}',
      dataType: 3,
      measuredAt: at(minutes),
      data,
      observations: [{ name: 'systolic', value: 120, unit: 'mm[Hg]' }],
      eventId: newEventId(),
    };
    return store.recordMeasurement(record);
  };
  const measurementsOf = async (accountId: string) => (await store.listMeasurements({ accountId, afterId: null, take: 1000 })).length;
  const payloads = async () => {
    const log = await store.listPushLog({ afterId: null, take: 1000 });
    return new Map(log.map((p) => [p.dataTag, p.rawMessage]));
  };
  const deletedEvents = async () => (await archive.module.get(EventFeed).read({ types: ['person.data-deleted'], limit: 100 })).items;
  const sweepAt = (minutes: number) => deletion.sweep(at(minutes));

  it('deletes a withdrawn person\'s measurements and push payloads once the grace is over, keeping the facts and everyone else\'s data', async () => {
    await grant('15300000001', 'acc-1', 0);
    await grant('15300000002', 'acc-2', 0);
    const mine = [await measure('acc-1', 1), await measure('acc-1', 2)];
    const theirs = await measure('acc-2', 2);
    await revoke('15300000001', 'acc-1', 3);

    // Within the grace period: nothing yet.
    expect(await sweepAt(3.5)).toEqual([]);
    expect(await measurementsOf('acc-1')).toBe(2);

    const [deleted, ...more] = await sweepAt(4.5);
    expect(more).toEqual([]);
    expect(deleted).toEqual({
      phone: '15300000001',
      accountId: 'acc-1',
      revokedAt: at(3).toISOString(),
      measurementsDeleted: 2,
      payloadsDeleted: 4, // the grant, the two measurements, the withdrawal
      measurementsKeptForSharedAccount: false,
    });
    expect(await measurementsOf('acc-1')).toBe(0);
    expect(await measurementsOf('acc-2')).toBe(1);
    const log = await store.listPushLog({ afterId: null, take: 1000 });
    // Every push is still in the log, with its facts; only the person's payloads are gone.
    expect(log).toHaveLength(6);
    for (const entry of log) {
      const isMine = entry.phone === '15300000001' || mine.some((m) => m.pushId === entry.id);
      expect({ id: entry.id, empty: entry.rawMessage === '' }).toEqual({ id: entry.id, empty: isMine });
    }
    expect(log.find((p) => p.id === mine[0].pushId)).toMatchObject({ outcome: PushOutcome.Archived, type: 1, dedupeKey: expect.any(String) });
    expect(log.find((p) => p.id === theirs.pushId)?.rawMessage).not.toBe('');
    // The authorization stays (it proves the withdrawal), and the event says what went.
    expect(await store.findAuthorization('15300000001')).toMatchObject({ status: AuthorizationStatus.Revoked, dataDeletedFor: at(3) });
    const events = await deletedEvents();
    expect(events).toEqual([expect.objectContaining({ type: 'person.data-deleted', phone: '15300000001', data: deleted })]);

    // Done once: later sweeps find nothing, and a repeat of the withdrawal changes nothing.
    expect(await sweepAt(10)).toEqual([]);
    expect(await deletedEvents()).toHaveLength(1);
  });

  it('deletes nothing of someone who came back within the grace period, and starts afresh after a re-authorization', async () => {
    await grant('15300000003', 'acc-3', 0);
    await measure('acc-3', 1);
    await revoke('15300000003', 'acc-3', 2);
    await grant('15300000003', 'acc-3', 2.5);
    expect(await sweepAt(10)).toEqual([]);
    expect(await measurementsOf('acc-3')).toBe(1);

    // Withdrawn again: everything kept so far goes; then a new grant, a new measurement, kept.
    await revoke('15300000003', 'acc-3', 11);
    expect((await sweepAt(13)).map((d) => d.measurementsDeleted)).toEqual([1]);
    await grant('15300000003', 'acc-3', 14);
    await measure('acc-3', 15);
    expect(await sweepAt(30)).toEqual([]);
    expect(await measurementsOf('acc-3')).toBe(1);
    // And withdrawn once more: due again, for what was kept since.
    await revoke('15300000003', 'acc-3', 31);
    expect((await sweepAt(33)).map((d) => d.measurementsDeleted)).toEqual([1]);
    expect(await deletedEvents()).toHaveLength(2);
  });

  it('keeps an account\'s measurements while another person sharing it still consents, and deletes the withdrawn one\'s own payloads', async () => {
    await grant('15300000004', 'acc-shared', 0);
    await grant('15300000005', 'acc-shared', 0);
    await measure('acc-shared', 1);
    await revoke('15300000004', 'acc-shared', 2);
    const [deleted] = await sweepAt(5);
    expect(deleted).toMatchObject({ measurementsDeleted: 0, payloadsDeleted: 2, measurementsKeptForSharedAccount: true });
    expect(await measurementsOf('acc-shared')).toBe(1);
    // Their grant and withdrawal; the measurement that stays keeps its payload, though it was logged under their phone.
    const byTag = await payloads();
    expect([...byTag.values()].filter((raw) => raw === '')).toHaveLength(2);
    expect([...byTag.values()].filter((raw) => raw.includes('measure_result'))).toHaveLength(1);
  });

  it('deletes many people in one sweep, and a person with thousands of measurements in one transaction', async () => {
    for (let i = 0; i < 3; i++) await grant(`1530000001${i}`, `acc-many-${i}`, 0);
    for (let m = 0; m < 1200; m++) await measure('acc-many-0', 1);
    for (let i = 0; i < 3; i++) await revoke(`1530000001${i}`, `acc-many-${i}`, 2);
    const done = await sweepAt(5);
    expect(done.map((d) => [d.phone, d.measurementsDeleted]).sort()).toEqual([
      ['15300000010', 1200],
      ['15300000011', 0],
      ['15300000012', 0],
    ]);
    expect(await measurementsOf('acc-many-0')).toBe(0);
  });

  it('keeps everything when no grace period is configured', async () => {
    const keeper = new WithdrawalDeletion(store, { database: { url: 'unused' }, dataProtection: testDataProtectionKeys() });
    await grant('15300000006', 'acc-6', 0);
    await measure('acc-6', 1);
    await revoke('15300000006', 'acc-6', 2);
    expect(keeper.graceMs).toBeNull();
    expect(await keeper.sweep(at(10_000))).toEqual([]);
    expect(await measurementsOf('acc-6')).toBe(1);
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('retention of raw payloads on $name', (target) => {
  let archive: ArchiveHarness;
  let store: ArchiveStore;
  let retention: RawPayloadRetention;
  const DAY = 86_400_000;

  beforeEach(async () => {
    archive = await startArchive(target, undefined, { rawPayloadRetentionMs: 30 * DAY, withdrawalSweepIntervalMs: 3_600_000 });
    store = archive.module.get(ArchiveStore);
    retention = archive.module.get(RawPayloadRetention);
  });
  afterEach(() => archive?.close());

  const T0 = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  const logAt = (day: number) => {
    const tag = `raw-${++n}`;
    const receivedAt = new Date(T0 + day * DAY);
    return store.recordIgnoredPush({
      dedupeKey: `tag:${tag}`,
      dataTag: tag,
      type: 9,
      accountId: 'acc',
      memberId: 'mem',
      deviceSn: '',
      phone: '15300000001',
      sourceCreatedAt: receivedAt,
      sourceUpdatedAt: receivedAt,
      receivedAt,
      rawMessage: JSON.stringify({ type: 9, data_tag: tag, data: { phone: '15300000001' } }),
      orderedBy: 'source',
    });
  };
  const emptied = async () => (await store.listPushLog({ afterId: null, take: 2000 })).filter((p) => p.rawMessage === '').map((p) => p.dataTag).sort();

  it('empties the bodies older than the retention, keeps the facts and the dedupe key, and reads only what came since on the next sweep', async () => {
    for (const day of [0, 1, 2, 40, 41]) await logAt(day);
    expect(await retention.sweep(new Date(T0 + 35 * DAY))).toBe(3);
    expect(await emptied()).toEqual(['raw-1', 'raw-2', 'raw-3']);
    const [first] = (await store.listPushLog({ afterId: null, take: 2000 })).filter((p) => p.dataTag === 'raw-1');
    expect(first).toMatchObject({ type: 9, phone: '15300000001', dedupeKey: 'tag:raw-1', outcome: 'ignored', rawMessage: '' });
    // A repeat of an emptied push is still known as one.
    const again = await store.recordIgnoredPush({ ...first, rawMessage: '{}', receivedAt: new Date(T0 + 50 * DAY) });
    expect(again).toMatchObject({ pushId: first.id, duplicate: true });
    // Time passes: the next two go; nothing is emptied twice.
    expect(await retention.sweep(new Date(T0 + 70.5 * DAY))).toBe(1);
    expect(await retention.sweep(new Date(T0 + 80 * DAY))).toBe(1);
    expect(await emptied()).toEqual(['raw-1', 'raw-2', 'raw-3', 'raw-4', 'raw-5']);
    expect(await retention.sweep(new Date(T0 + 90 * DAY))).toBe(0);
  });

  it('goes through more pushes than one statement looks at', async () => {
    for (let i = 0; i < 1100; i++) await logAt(0);
    await logAt(40);
    expect(await retention.sweep(new Date(T0 + 35 * DAY))).toBe(1100);
    expect((await emptied()).length).toBe(1100);
  });

  it('keeps every body when no retention is configured', async () => {
    await logAt(0);
    const keeper = new RawPayloadRetention(store, { database: { url: 'unused' }, dataProtection: testDataProtectionKeys() });
    expect(keeper.retentionMs).toBeNull();
    expect(await keeper.sweep(new Date(T0 + 3650 * DAY))).toBe(0);
    expect(await emptied()).toEqual([]);
  });
});
