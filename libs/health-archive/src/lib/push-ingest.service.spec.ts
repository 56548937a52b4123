import { DataProtection } from './protection/data-protection';
import { testDatabaseTargets } from '../testing';
import { PushType } from '@health-bridge/viatom-protocol';
import { parsed, startArchive, wirePush, type ArchiveHarness } from '../../test/archive-harness';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import { Measurement } from './entities/measurement';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import { AuthorizationGrantedEvent, AuthorizationRevokedEvent, MeasurementReceivedEvent } from './events';
import { PushIngestService } from './push-ingest.service';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('PushIngestService on $name', (target) => {
  let archive: ArchiveHarness;
  let ingest: PushIngestService;

  beforeEach(async () => {
    archive = await startArchive(target);
    ingest = archive.module.get(PushIngestService);
  });
  afterEach(() => archive?.close());

  const authorizationOf = (phone: string) => archive.dataSource.getRepository(Authorization).findOneBy({ phoneHash: archive.module.get(DataProtection).phoneHash(phone) });
  const pushCount = () => archive.dataSource.getRepository(PushLogEntry).count();

  it('logs a type-2 push and authorizes the phone, with times read as +08:00 and kept as UTC', async () => {
    const wire = wirePush({ type: PushType.UserAuthorized, phone: '15312341234', time: '2022-12-29 16:33:40' });
    const result = await ingest.ingest(parsed(wire), new Date('2022-12-29T08:34:00Z'));

    expect(result).toEqual({ pushId: expect.any(Number), outcome: PushOutcome.Applied, duplicate: false });
    const entry = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: result.pushId });
    expect(entry).toMatchObject({
      dedupeKey: `tag:${wire.data_tag}`,
      dataTag: wire.data_tag,
      type: 2,
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      deviceSn: '',
      phone: '15312341234',
      outcome: PushOutcome.Applied,
    });
    expect(entry.sourceCreatedAt?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
    expect(entry.sourceUpdatedAt?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
    expect(entry.receivedAt.toISOString()).toBe('2022-12-29T08:34:00.000Z');
    expect(JSON.parse(entry.rawMessage)).toEqual(wire);

    const authorization = await authorizationOf('15312341234');
    expect(authorization).toMatchObject({
      status: AuthorizationStatus.Authorized,
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      revokedAt: null,
      revokedBy: null,
    });
    expect(authorization?.authorizedAt?.toISOString()).toBe('2022-12-29T08:33:40.000Z');
    expect(archive.events.map((e) => e.name)).toEqual([AuthorizationGrantedEvent.eventName]);
  });

  it('revokes on a newer type-3 push, by the user', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 10:00:00' })));
    const result = await ingest.ingest(parsed(wirePush({ type: 3, time: '2022-12-29 11:00:00' })));

    expect(result.outcome).toBe(PushOutcome.Applied);
    const authorization = await authorizationOf('15300001111');
    expect(authorization?.status).toBe(AuthorizationStatus.Revoked);
    expect(authorization?.revokedBy).toBe(RevokedBy.User);
    expect(authorization?.revokedAt?.toISOString()).toBe('2022-12-29T03:00:00.000Z');
    expect(authorization?.authorizedAt?.toISOString()).toBe('2022-12-29T02:00:00.000Z');
    expect(archive.events.map((e) => e.name)).toEqual([AuthorizationGrantedEvent.eventName, AuthorizationRevokedEvent.eventName]);
  });

  it('treats a second delivery with the same data_tag as a no-op with the same answer', async () => {
    const wire = wirePush({ type: 2 });
    const first = await ingest.ingest(parsed(wire));
    // Even if the second copy differs, the data_tag says it is the same message.
    const second = await ingest.ingest(parsed({ ...wire, update_time: '2030-01-01 00:00:00' }));

    expect(second).toEqual({ pushId: first.pushId, outcome: first.outcome, duplicate: true });
    expect(await pushCount()).toBe(1);
    expect(archive.events).toHaveLength(1);
  });

  it('derives the dedupe key from the content when data_tag is empty, whatever the key order', async () => {
    const wire = wirePush({ type: 2, data_tag: '' });
    const first = await ingest.ingest(parsed(wire));
    const reordered = Object.fromEntries(Object.entries(wire).reverse());
    const second = await ingest.ingest(parsed(JSON.parse(JSON.stringify(reordered))));
    const different = await ingest.ingest(parsed({ ...wire, update_time: '2022-12-29 16:33:41' }));

    expect(second).toEqual({ pushId: first.pushId, outcome: PushOutcome.Applied, duplicate: true });
    expect(different.duplicate).toBe(false);
    const entry = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: first.pushId });
    // A keyed hash of the content (which holds the phone): no one without the hash key can match it against guesses.
    expect(entry.dedupeKey).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(await pushCount()).toBe(2);
  });

  it('logs an older push as stale and changes nothing', async () => {
    await ingest.ingest(parsed(wirePush({ type: 3, time: '2022-12-29 12:00:00' })));
    const stale = await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 11:59:59' })));

    expect(stale.outcome).toBe(PushOutcome.Stale);
    const authorization = await authorizationOf('15300001111');
    expect(authorization?.status).toBe(AuthorizationStatus.Revoked);
    expect(authorization?.lastChangeAt.toISOString()).toBe('2022-12-29T04:00:00.000Z');
    expect(archive.events.map((e) => e.name)).toEqual([AuthorizationRevokedEvent.eventName]);
  });

  it('uses create_time when update_time is absent', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 12:00:00' })));
    const { update_time: _dropped, ...older } = wirePush({ type: 3, time: '2022-12-29 11:00:00' });
    expect((await ingest.ingest(parsed(older))).outcome).toBe(PushOutcome.Stale);
  });

  it('lets a cancellation win a tie, in either arrival order', async () => {
    const at = '2022-12-29 12:00:00';
    await ingest.ingest(parsed(wirePush({ type: 2, phone: '15300000001', time: at })));
    expect((await ingest.ingest(parsed(wirePush({ type: 3, phone: '15300000001', time: at })))).outcome).toBe(PushOutcome.Applied);

    await ingest.ingest(parsed(wirePush({ type: 3, phone: '15300000002', time: at })));
    expect((await ingest.ingest(parsed(wirePush({ type: 2, phone: '15300000002', time: at })))).outcome).toBe(PushOutcome.Stale);

    expect((await authorizationOf('15300000001'))?.status).toBe(AuthorizationStatus.Revoked);
    expect((await authorizationOf('15300000002'))?.status).toBe(AuthorizationStatus.Revoked);
  });

  it('archives a measurement whole, and emits an event after commit', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, phone: '15312341234', time: '2022-12-29 10:00:00' })));
    const data = { data_type: 2, measure_time: '2022-12-29 10:05:00', measure_result: { spo2: 98, pr: 72 }, remark: '' };
    const result = await ingest.ingest(parsed(wirePush({ type: 1, data, device_sn: 'O2-1234', time: '2022-12-29 10:06:00' })));

    expect(result.outcome).toBe(PushOutcome.Archived);
    const measurement = await archive.dataSource.getRepository(Measurement).findOneByOrFail({ pushId: result.pushId });
    expect(measurement).toMatchObject({ accountId: 'OA==|MTEx', memberId: 'OA==|LTE=', deviceSn: 'O2-1234', dataType: 2, data });
    expect(measurement.measuredAt?.toISOString()).toBe('2022-12-29T02:05:00.000Z');
    const entry = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: result.pushId });
    expect(entry.phone).toBe('15312341234');
    const event = archive.events.find((e) => e.name === MeasurementReceivedEvent.eventName)?.payload as MeasurementReceivedEvent;
    expect(event).toMatchObject({ measurementId: measurement.id, dataType: 2, data });
  });

  it('archives a measurement delivered twice (with or without data_tag) once, and answers the repeat the same', async () => {
    for (const dataTag of ['m-twice', '']) {
      const wire = wirePush({ type: 1, data_tag: dataTag, data: { data_type: 6, measure_result: { hr: 61 } } });
      const [first, second] = await Promise.all([ingest.ingest(parsed(wire)), ingest.ingest(parsed(wire))]);
      const again = await ingest.ingest(parsed(wire));
      expect([first, second].filter((r) => !r.duplicate)).toHaveLength(1);
      expect(again).toEqual({ pushId: first.pushId, outcome: PushOutcome.Archived, duplicate: true });
      expect(await archive.dataSource.getRepository(Measurement).countBy({ pushId: first.pushId })).toBe(1);
    }
    expect(await archive.dataSource.getRepository(Measurement).count()).toBe(2);
    expect(archive.events.filter((e) => e.name === MeasurementReceivedEvent.eventName)).toHaveLength(2);
  });

  it('keeps a measurement of an account never seen, with whatever data it holds', async () => {
    const data = { anything: ['goes', 1, { nested: true }] };
    const result = await ingest.ingest(parsed(wirePush({ type: 1, account_id: 'unknown', data })));
    expect(result.outcome).toBe(PushOutcome.Archived);
    const measurement = await archive.dataSource.getRepository(Measurement).findOneByOrFail({ pushId: result.pushId });
    expect(measurement).toMatchObject({ dataType: null, measuredAt: null, data });
  });

  it('ignores a measurement of a revoked account and does not keep its data', async () => {
    await ingest.ingest(parsed(wirePush({ type: 2, time: '2022-12-29 10:00:00' })));
    await ingest.ingest(parsed(wirePush({ type: 3, time: '2022-12-29 11:00:00' })));
    const data = { data_type: 3, measure_time: '2022-12-29 12:00:00', measure_result: { sys: 120, dia: 80 } };
    const result = await ingest.ingest(parsed(wirePush({ type: 1, data })));

    expect(result.outcome).toBe(PushOutcome.Ignored);
    expect(await archive.dataSource.getRepository(Measurement).count()).toBe(0);
    const entry = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: result.pushId });
    expect(JSON.parse(entry.rawMessage).data).toBeNull();
    // Nowhere else in the message either: all of it but its data_tag (random: its digits are no evidence).
    const { data_tag: _tag, ...rest } = JSON.parse(entry.rawMessage);
    expect(JSON.stringify(rest)).not.toContain('120');
  });

  it('logs and acknowledges a push of an unknown type', async () => {
    const result = await ingest.ingest(parsed(wirePush({ type: 42, data: { whatever: 1 } })));
    expect(result.outcome).toBe(PushOutcome.Ignored);
    expect(await pushCount()).toBe(1);
    expect(await archive.dataSource.getRepository(Authorization).count()).toBe(0);
  });

  it('stores exactly one row for the same push ingested concurrently', async () => {
    const wire = wirePush({ type: 2 });
    const results = await Promise.all(Array.from({ length: 20 }, () => ingest.ingest(parsed(wire))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.pushId)).size).toBe(1);
    expect(await pushCount()).toBe(1);
  });

  it('ends on the newest event for one phone whatever the order of concurrent pushes', async () => {
    const times = Array.from({ length: 12 }, (_, i) => `2022-12-29 10:${String(i).padStart(2, '0')}:00`);
    const pushes = times.map((time, i) => wirePush({ type: i % 2 === 0 ? 2 : 3, time, phone: '15399990000' }));
    // The newest (10:11) is a cancellation: shuffle deterministically so that it does not arrive last.
    const shuffled = [pushes[11], ...pushes.slice(0, 11).reverse()];
    await Promise.all(shuffled.map((p) => ingest.ingest(parsed(p))));
    const authorization = await authorizationOf('15399990000');
    expect(authorization?.status).toBe(AuthorizationStatus.Revoked);
    expect(authorization?.lastChangeAt.toISOString()).toBe('2022-12-29T02:11:00.000Z');
    expect(await pushCount()).toBe(12);
  });

  const permutations = (items: number[]): number[][] =>
    items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));

  /** Ingests the events in every order, each order for its own phone; returns the distinct final records. */
  async function finalRecordsOverAllOrders(events: Array<{ type: number; time: string }>, phonePrefix: string) {
    const finals = new Set<string>();
    for (const [n, order] of permutations(events.map((_, i) => i)).entries()) {
      const phone = `${phonePrefix}${String(n).padStart(4, '0')}`;
      for (const i of order) await ingest.ingest(parsed(wirePush({ ...events[i], phone })));
      const a = await authorizationOf(phone);
      // authorizedAt is left out when the newest event is a revocation: a grant that arrives
      // after a newer revocation is stale and, by rule, changes nothing.
      finals.add(JSON.stringify({ status: a?.status, revokedAt: a?.revokedAt, revokedBy: a?.revokedBy, lastChangeAt: a?.lastChangeAt, ...(a?.status === 'authorized' ? { authorizedAt: a.authorizedAt } : {}) }));
    }
    return [...finals].map((f) => JSON.parse(f));
  }

  it('ends on the same revocation whatever the order of the events, ties included (every permutation)', async () => {
    const finals = await finalRecordsOverAllOrders(
      [
        { type: 2, time: '2022-12-29 10:00:00' },
        { type: 3, time: '2022-12-29 10:01:00' },
        { type: 2, time: '2022-12-29 10:02:00' },
        { type: 3, time: '2022-12-29 10:02:00' },
      ],
      '1538800',
    );
    expect(finals).toEqual([{ status: 'revoked', revokedAt: '2022-12-29T02:02:00.000Z', revokedBy: 'user', lastChangeAt: '2022-12-29T02:02:00.000Z' }]);
  });

  it('ends on the same authorization whatever the order of the events (every permutation)', async () => {
    const finals = await finalRecordsOverAllOrders(
      [
        { type: 2, time: '2022-12-29 10:00:00' },
        { type: 3, time: '2022-12-29 10:01:00' },
        { type: 3, time: '2022-12-29 10:02:00' },
        { type: 2, time: '2022-12-29 10:03:00' },
      ],
      '1538801',
    );
    expect(finals).toEqual([
      { status: 'authorized', revokedAt: null, revokedBy: null, lastChangeAt: '2022-12-29T02:03:00.000Z', authorizedAt: '2022-12-29T02:03:00.000Z' },
    ]);
  });
});
