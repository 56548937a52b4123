import type { DataSource } from 'typeorm';

/**
 * The delivery lib's statements run on the archive's DataSource, written once for both engines:
 * `?` placeholders (numbered `$1, $2…` for PostgreSQL here; never write a `?` inside a literal),
 * instants passed through `instant()` and read back through `readInstant()`, booleans through
 * `readBoolean()`. A statement's rows come back on both engines (use RETURNING to learn what an
 * UPDATE or DELETE touched). Each statement stands alone: there is deliberately no transaction
 * here. On SQLite the archive's writes share the one connection and commit in groups, so a
 * transaction held open across awaits would take them in (or be rolled back by them).
 */
export class Sql {
  readonly postgres: boolean;

  constructor(readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  async rows<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    const text = this.postgres ? numbered(sql) : sql;
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(text, params.map((p) => this.param(p)), true);
      return (Array.isArray(result.records) ? result.records : []) as R[];
    } finally {
      await runner.release();
    }
  }

  /** The engine's form of an instant as a parameter. */
  instant(value: Date | null): unknown {
    if (value === null) return null;
    if (this.postgres) return value;
    const iso = value.toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }

  readInstant(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value;
    return new Date(`${String(value).replace(' ', 'T')}Z`);
  }

  readBoolean(value: unknown): boolean {
    return value === true || value === 1 || value === '1' || value === 't';
  }

  private param(value: unknown): unknown {
    if (value instanceof Date) return this.instant(value);
    if (typeof value === 'boolean' && !this.postgres) return value ? 1 : 0;
    return value;
  }
}

/** `?` → `$1`, `$2`… in order. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
