import type { DataSource } from 'typeorm';
import { Authorization, AuthorizationStatus } from '../entities/authorization';
import { ConsentRecord } from '../entities/consent-record';
import { AccessRecord } from '../entities/access-record';
import { Measurement } from '../entities/measurement';
import { PushLogEntry } from '../entities/push-log-entry';
import { rawPayloadSql } from './person-deletion';
import type { RowSealer } from './sealing';
import { ArchiveStore, type AuthorizationFilter, type AccessFilter, type ConsentFilter, type MeasurementFilter, type PushLogFilter } from './archive-store';

/**
 * What both adapters do the same way, through TypeORM's public API: the reads (query builder
 * over the entity schemas, which hide the engines' column types), the ping and the migration
 * state. The writes are each engine's own.
 */
export abstract class TypeOrmArchiveStore extends ArchiveStore {
  constructor(
    protected readonly dataSource: DataSource,
    protected readonly sealer: RowSealer,
  ) {
    super();
  }

  findAuthorization(phone: string): Promise<Authorization | null> {
    return this.dataSource.getRepository(Authorization).findOneBy({ phoneHash: this.sealer.phoneHash(phone) });
  }

  findAuthorizationByFhirPatientId(fhirPatientId: string): Promise<Authorization | null> {
    return this.dataSource.getRepository(Authorization).findOneBy({ fhirPatientId });
  }

  async findAuthorizationsOfAccount(accountId: string): Promise<Authorization[]> {
    if (accountId === '') return [];
    const rows = await this.dataSource.getRepository(Authorization).find({ where: { accountId }, order: { id: 'ASC' } });
    return rows.sort((a, b) => Number(b.status === AuthorizationStatus.Authorized) - Number(a.status === AuthorizationStatus.Authorized));
  }

  findMeasurement(id: number): Promise<Measurement | null> {
    return this.dataSource.getRepository(Measurement).findOneBy({ id });
  }

  async hasDevice(deviceSn: string): Promise<boolean> {
    return (await this.dataSource.getRepository(Measurement).findOne({ select: { id: true }, where: { deviceSn } })) !== null;
  }

  listAuthorizations(filter: AuthorizationFilter): Promise<Authorization[]> {
    const qb = this.dataSource.getRepository(Authorization).createQueryBuilder('a').orderBy('a.id', 'DESC').take(filter.take);
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    if (filter.afterId !== null) qb.andWhere('a.id < :after', { after: filter.afterId });
    return qb.getMany();
  }

  listMeasurements(filter: MeasurementFilter): Promise<Measurement[]> {
    const qb = this.dataSource.getRepository(Measurement).createQueryBuilder('m').orderBy('m.id', 'DESC').take(filter.take);
    if (filter.accountId !== undefined) qb.andWhere('m.accountId = :accountId', { accountId: filter.accountId });
    if (filter.dataType !== undefined) qb.andWhere('m.dataType = :dataType', { dataType: filter.dataType });
    if (filter.dataTypes !== undefined) {
      if (filter.dataTypes.length === 0) return Promise.resolve([]);
      qb.andWhere('m.dataType IN (:...dataTypes)', { dataTypes: filter.dataTypes });
    }
    if (filter.observation) {
      const { name, min, max } = filter.observation;
      qb.andWhere(this.observationCondition('m', min !== undefined, max !== undefined), { obsName: name, obsMin: min, obsMax: max });
    }
    if (filter.from) qb.andWhere('m.measuredAt >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('m.measuredAt < :to', { to: filter.to });
    if (filter.afterId !== null) qb.andWhere('m.id < :after', { after: filter.afterId });
    return qb.getMany();
  }

  /**
   * The SQL condition "the measurement `alias` has an observation named :obsName within
   * [:obsMin, :obsMax]": the engines read a JSON array differently.
   */
  protected abstract observationCondition(alias: string, hasMin: boolean, hasMax: boolean): string;

  async dropRawPayloads(receivedBefore: Date, afterId: number, limit: number): Promise<{ dropped: number; lastId: number; reachedKept: boolean }> {
    const p = this.placeholder;
    const rows: Array<{ id: number | string; received_at: unknown }> = await this.dataSource.query(rawPayloadSql(p, 0).next, [afterId, limit]);
    const expired: number[] = [];
    let reachedKept = rows.length < limit;
    for (const row of rows) {
      if ((this.instantOf(row.received_at) as Date) >= receivedBefore) {
        reachedKept = true;
        break;
      }
      expired.push(Number(row.id));
    }
    if (expired.length === 0) return { dropped: 0, lastId: afterId, reachedKept };
    const result = await this.runWrite(rawPayloadSql(p, expired.length).drop, expired);
    return { dropped: result, lastId: expired[expired.length - 1], reachedKept };
  }

  /** The engine's placeholder for parameter `n`. */
  protected abstract placeholder(n: number): string;
  /** An instant as the engine's driver returns it, read. */
  protected abstract instantOf(value: unknown): Date | null;
  /** Runs a write statement in the engine's write path; how many rows it changed. */
  protected abstract runWrite(sql: string, values: unknown[]): Promise<number>;

  listPushLog(filter: PushLogFilter): Promise<PushLogEntry[]> {
    const qb = this.dataSource.getRepository(PushLogEntry).createQueryBuilder('p').orderBy('p.id', 'DESC').take(filter.take);
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return Promise.resolve([]);
      qb.andWhere('p.id IN (:...ids)', { ids: filter.ids });
    }
    if (filter.type !== undefined) qb.andWhere('p.type = :type', { type: filter.type });
    if (filter.phone) qb.andWhere('p.phoneHash = :phoneHash', { phoneHash: this.sealer.phoneHash(filter.phone) });
    if (filter.outcome) qb.andWhere('p.outcome = :outcome', { outcome: filter.outcome });
    if (filter.afterId !== null) qb.andWhere('p.id < :after', { after: filter.afterId });
    return qb.getMany();
  }

  listConsents(filter: ConsentFilter): Promise<ConsentRecord[]> {
    const qb = this.dataSource.getRepository(ConsentRecord).createQueryBuilder('c').where('c.phoneHash = :phoneHash', { phoneHash: this.sealer.phoneHash(filter.phone) }).orderBy('c.id', 'DESC').take(filter.take);
    if (filter.afterId !== null) qb.andWhere('c.id < :after', { after: filter.afterId });
    return qb.getMany();
  }

  async recordAccess(entries: ReadonlyArray<Omit<AccessRecord, 'id'>>): Promise<void> {
    if (entries.length === 0) return;
    const p = (n: number) => this.placeholder(n);
    const rows = entries.map((_, i) => `(${Array.from({ length: 7 }, (__, j) => p(i * 7 + j + 1)).join(', ')})`).join(', ');
    const values = entries.flatMap((e) => [this.instantValue(e.at), e.apiKey, e.method, e.route, e.phoneHash, e.requestId, e.status]);
    await this.runWrite(`INSERT INTO "access_audit" ("at", "api_key", "method", "route", "phone_hash", "request_id", "status") VALUES ${rows}`, values);
  }

  listAccess(filter: AccessFilter): Promise<AccessRecord[]> {
    const qb = this.dataSource.getRepository(AccessRecord).createQueryBuilder('x').orderBy('x.id', 'DESC').take(filter.take);
    if (filter.phoneHash) qb.andWhere('x.phoneHash = :phoneHash', { phoneHash: filter.phoneHash });
    if (filter.from) qb.andWhere('x.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('x.at < :to', { to: filter.to });
    if (filter.afterId !== null) qb.andWhere('x.id < :after', { after: filter.afterId });
    return qb.getMany();
  }

  async purgeAccess(before: Date): Promise<number> {
    const p = (n: number) => this.placeholder(n);
    let total = 0;
    for (;;) {
      // A slice at a time, oldest first: no statement holds the table for long.
      const deleted = await this.runWrite(`DELETE FROM "access_audit" WHERE "id" IN (SELECT "id" FROM "access_audit" WHERE "at" < ${p(1)} ORDER BY "id" LIMIT 1000)`, [
        this.instantValue(before),
      ]);
      total += deleted;
      if (deleted === 0) return total;
    }
  }

  /** An instant as the engine's driver takes it. */
  protected abstract instantValue(instant: Date): unknown;

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async pendingMigrations(): Promise<string[]> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const runner = this.dataSource.createQueryRunner();
    try {
      const applied = (await runner.hasTable(table))
        ? new Set((await runner.query(`SELECT name FROM ${this.dataSource.driver.escape(table)}`)).map((row: { name: string }) => row.name))
        : new Set<string>();
      return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
    } finally {
      await runner.release();
    }
  }
}
