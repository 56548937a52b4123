import { DataProtection } from '../../protection/data-protection';
import { RowSealer } from '../sealing';
import { testDatabaseTargets } from '../../../testing';
import { startArchive, type ArchiveHarness } from '../../../../test/archive-harness';
import { Authorization, AuthorizationStatus } from '../../entities/authorization';
import { Measurement } from '../../entities/measurement';
import { PushLogEntry } from '../../entities/push-log-entry';
import type { MeasurementPushRecord, MeasurementWritten } from '../archive-store';
import { postgresPoolOf, type PgPool } from '../typeorm-internals';
import { PostgresMeasurementBatcher, WRITE_MEASUREMENTS_SQL, writeMeasurementBatch } from './measurement-batch';
import { newFhirPatientId } from '../../authorization-rules';
import { newEventId } from '../../outbox/events';

const postgres = testDatabaseTargets(process.env.TEST_DATABASE_URL).filter((t) => t.name === 'postgres');

// PostgreSQL only (SQLite's adapter writes in SqliteGroupCommit); CI always sets TEST_DATABASE_URL.
(postgres.length > 0 ? describe : describe.skip)('PostgresMeasurementBatcher', () => {
  let archive: ArchiveHarness;
  let batcher: PostgresMeasurementBatcher;
  let sealer: RowSealer;

  beforeEach(async () => {
    archive = await startArchive(postgres[0]);
    sealer = new RowSealer(archive.module.get(DataProtection));
    batcher = new PostgresMeasurementBatcher(pool, sealer);
  });
  const pool = (): PgPool => {
    const found = postgresPoolOf(archive.dataSource);
    if (!found) throw new Error('not connected');
    return found;
  };
  afterEach(() => archive?.close());

  let n = 0;
  const record = (overrides: Partial<MeasurementPushRecord> = {}): MeasurementPushRecord => {
    const tag = `batch-${++n}`;
    return {
      dedupeKey: `tag:${tag}`,
      dataTag: tag,
      type: 1,
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      deviceSn: 'SN1',
      phone: null,
      sourceCreatedAt: new Date('2022-12-29T08:33:40Z'),
      sourceUpdatedAt: new Date('2022-12-29T08:33:40Z'),
      receivedAt: new Date('2022-12-29T08:34:00Z'),
      rawMessage: JSON.stringify({ type: 1, data_tag: tag, data: { data_type: 2, spo2: 97 } }),
      ignoredRawMessage: JSON.stringify({ type: 1, data_tag: tag, data: null }),
      orderedBy: 'source',
      dataType: 2,
      measuredAt: new Date('2022-12-29T08:30:00Z'),
      data: { data_type: 2, spo2: 97 },
      observations: [{ name: 'spo2', value: 97, unit: '%' }],
      eventId: newEventId(),
      ...overrides,
    };
  };
  const logRows = () => archive.dataSource.getRepository(PushLogEntry).find({ order: { id: 'ASC' } });
  const measurementRows = () => archive.dataSource.getRepository(Measurement).find({ order: { id: 'ASC' } });

  it('writes the pushes of one moment, each answered with its own rows, a repeat within them with the first one', async () => {
    const records = Array.from({ length: 30 }, () => record());
    const results = await Promise.all([...records, records[7]].map((r) => batcher.write(r)));

    expect(results.slice(0, 30).every((r) => r?.duplicate === false && r.outcome === 'archived' && r.measurementId !== null)).toBe(true);
    expect(results[30]).toEqual({ pushId: results[7]?.pushId, outcome: 'archived', measurementId: null, duplicate: true });
    const logs = await logRows();
    const measurements = await measurementRows();
    expect(logs).toHaveLength(30);
    expect(measurements).toHaveLength(30);
    for (const [i, r] of records.entries()) {
      const log = logs.find((l) => l.id === results[i]?.pushId);
      expect(log).toMatchObject({ dedupeKey: r.dedupeKey, type: 1, outcome: 'archived', deviceSn: 'SN1', rawMessage: r.rawMessage });
      const measurement = measurements.find((m) => m.id === results[i]?.measurementId);
      expect(measurement).toMatchObject({ pushId: log?.id, dataTag: r.dataTag, dataType: 2, data: { data_type: 2, spo2: 97 } });
      expect(measurement?.measuredAt?.toISOString()).toBe('2022-12-29T08:30:00.000Z');
    }
  });

  it("answers a repeat of a committed push with the first delivery's answer and writes nothing", async () => {
    const first = record();
    const written = await batcher.write(first);
    const again = await batcher.write({ ...first, receivedAt: new Date() });

    expect(again).toEqual({ pushId: written?.pushId, outcome: 'archived', measurementId: null, duplicate: true });
    expect(await logRows()).toHaveLength(1);
    expect(await measurementRows()).toHaveLength(1);
  });

  it("logs a revoked account's measurement as ignored, with the account's phone and without its data", async () => {
    const now = new Date();
    await archive.dataSource.getRepository(Authorization).insert({
      phone: '15312341234',
      phoneHash: sealer.phoneHash('15312341234'),
      status: AuthorizationStatus.Revoked,
      accountId: 'OA==|MTEx',
      memberId: 'OA==|LTE=',
      lastChangeAt: now,
      createdAt: now,
      updatedAt: now,
      fhirPatientId: newFhirPatientId(),
    });
    const refusedRecord = record();
    const [refused, other] = await Promise.all([batcher.write(refusedRecord), batcher.write(record({ accountId: 'another' }))]);

    expect(refused).toMatchObject({ outcome: 'ignored', measurementId: null, duplicate: false });
    expect(other).toMatchObject({ outcome: 'archived', duplicate: false });
    const log = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: refused?.pushId });
    expect(log.phone).toBe('15312341234');
    expect(log.rawMessage).toBe(refusedRecord.ignoredRawMessage);
    expect(await measurementRows()).toHaveLength(1);
  });

  it('fails only the push the database refuses, when the others of its batch are sound', async () => {
    const good = [record(), record()];
    const bad = record({ dataType: 2 ** 40 }); // out of the integer column's range: SQLSTATE 22003
    const settled = await Promise.allSettled([batcher.write(good[0]), batcher.write(bad), batcher.write(good[1])]);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22003' });
    expect((await logRows()).map((l) => l.dedupeKey).sort()).toEqual(good.map((r) => r.dedupeKey).sort());
    expect(await measurementRows()).toHaveLength(2);
  });

  it('looks push_log up by the dedupe index even in the plan a connection prepared on an empty table', async () => {
    // A prepared statement may keep the generic plan made on its first runs: on an empty
    // table a join to push_log would be a sequential scan, paid on every batch as the table grows.
    const runner = archive.dataSource.createQueryRunner();
    try {
      await runner.query('SET plan_cache_mode = force_generic_plan');
      await runner.query(`PREPARE planned(jsonb) AS ${WRITE_MEASUREMENTS_SQL}`);
      const plan = (await runner.query(`EXPLAIN EXECUTE planned('[]')`)).map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('Index Scan using "UQ_push_log_dedupe_key" on push_log');
      expect(plan).not.toContain('Seq Scan on push_log');
    } finally {
      await runner.query('DEALLOCATE ALL');
      await runner.query('RESET plan_cache_mode');
      await runner.release();
    }
  });

  it('goes on writing after a migration changed the type of a column the statement returns', async () => {
    // The statement prepared on a connection before the change is refused there from then on:
    // prepare it on three connections at once, then change the column.
    const before = await Promise.all([record(), record(), record()].map((r) => writeMeasurementBatch(pool(), sealer, [r])));
    await archive.dataSource.query('ALTER TABLE "push_log" ALTER COLUMN "outcome" TYPE varchar(32)');
    const after: Array<MeasurementWritten | null> = [];
    for (let i = 0; i < 3; i++) after.push(await batcher.write(record()));

    expect(before.map(([r]) => r?.outcome)).toEqual(['archived', 'archived', 'archived']);
    expect(after.map((r) => r?.outcome)).toEqual(['archived', 'archived', 'archived']);
    expect(await logRows()).toHaveLength(6);
    expect(await measurementRows()).toHaveLength(6);
  });

  it('fails every push of the batch when the database is unavailable', async () => {
    await archive.dataSource.destroy();
    const settled = await Promise.allSettled([batcher.write(record()), batcher.write(record())]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    await archive.dataSource.initialize(); // for the harness's clean-up
    expect(await logRows()).toHaveLength(0);
  });
});
