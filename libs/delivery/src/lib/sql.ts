import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ArchiveStatements, HEALTH_ARCHIVE_DATA_SOURCE } from '@health-bridge/health-archive';

/**
 * The delivery lib's statements run on the archive's DataSource, written once for both engines:
 * `?` placeholders (numbered `$1, $2…` for PostgreSQL here; never write a `?` inside a literal),
 * instants passed through `instant()` and read back through `readInstant()`, booleans through
 * `readBoolean()`. A statement's rows come back on both engines (use RETURNING to learn what an
 * UPDATE or DELETE touched). Each statement stands alone: there is deliberately no transaction
 * here. They run through the archive's `ArchiveStatements`: on SQLite inside its group commit
 * (sharing the pushes' disk sync; a transaction held open across awaits would have taken the
 * archive's writes in), on PostgreSQL from the pool.
 */
@Injectable()
export class Sql {
  readonly postgres: boolean;

  constructor(
    @Inject(HEALTH_ARCHIVE_DATA_SOURCE) dataSource: DataSource,
    private readonly statements: ArchiveStatements,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  rows<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    const statement = this.forEngine({ sql, params });
    return this.statements.rows<R>(statement.sql, statement.params);
  }

  /** Several statements, all or none (for writes that must not be half done); each one's rows. */
  all(statements: ReadonlyArray<{ sql: string; params: unknown[] }>): Promise<Array<Array<Record<string, unknown>>>> {
    return this.statements.all(statements.map((statement) => this.forEngine(statement)));
  }

  /** The statement as the engine takes it: its placeholders and parameters. */
  private forEngine({ sql, params }: { sql: string; params: unknown[] }): { sql: string; params: unknown[] } {
    return { sql: this.postgres ? numbered(sql) : sql, params: params.map((p) => this.param(p)) };
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
