import type { QueryRunner } from 'typeorm';
import type { DataProtection } from './data-protection';

/** Rows rewritten per statement. */
const BATCH = 500;

/** Tables whose "id" is text (a ULID), not a number. */
const TEXT_IDS: ReadonlySet<string> = new Set(['webhook_endpoint']);

export type Row = Record<string, string | null>;

/**
 * Rewrites a table's rows by id, a batch at a time, with one UPDATE … FROM per batch, for the
 * migration that encrypts the rows stored before it and for the re-encryption under a new key.
 * Each row is written only if the columns it was read from still hold what was read (a push's
 * payload emptied meanwhile by the retention stays empty), so it can run beside the service. The
 * keys are asked for only when there is a row to rewrite.
 */
export class RowRewriter {
  constructor(
    private readonly queryRunner: QueryRunner,
    private readonly postgres: boolean,
    private readonly keys: () => DataProtection,
  ) {}

  /**
   * `map` gives a row's new values (null: leave the row); `where` (SQL over the table's columns)
   * picks the rows to read. Answers how many rows were written.
   */
  async rewrite(table: string, columns: string[], map: (p: DataProtection, row: Row) => Row | null, where = 'true'): Promise<number> {
    const select = columns.map((c) => `"${c}"`).join(', ');
    const textIds = TEXT_IDS.has(table);
    let written = 0;
    for (let after: string | number = textIds ? '' : 0; ; ) {
      const rows: Array<Row & { id: string | number }> = await this.queryRunner.query(
        `SELECT "id", ${select} FROM "${table}" WHERE "id" > ${this.postgres ? '$1' : '?'} AND (${where}) ORDER BY "id" LIMIT ${BATCH}`,
        [after],
      );
      if (rows.length === 0) return written;
      const p = this.keys();
      const changes = rows.flatMap((row) => {
        const next = map(p, row);
        if (next === null) return [];
        const old = Object.fromEntries(columns.map((c) => [`old_${c}`, row[c] === null || row[c] === undefined ? null : String(row[c])]));
        return [{ id: String(row.id), ...next, ...old }];
      });
      written += await this.update(table, 'id', changes, Object.fromEntries(columns.map((c) => [`old_${c}`, c])), {}, textIds ? 'varchar' : 'bigint');
      after = textIds ? String(rows[rows.length - 1].id) : Number(rows[rows.length - 1].id);
    }
  }

  /** The sequences' subjects: `map` gives a subject's new value, or null to leave it. */
  async rewriteSubjects(map: (p: DataProtection, subject: string) => string | null): Promise<void> {
    const subjects: Array<{ subject: string }> = await this.queryRunner.query('SELECT "subject" FROM "event_subject" ORDER BY "subject"');
    if (subjects.length === 0) return;
    const p = this.keys();
    const changes = subjects.flatMap(({ subject }) => {
      const next = map(p, subject);
      return next === null || next === subject ? [] : [{ subject, next }];
    });
    for (let i = 0; i < changes.length; i += BATCH) await this.update('event_subject', 'subject', changes.slice(i, i + BATCH), {}, { next: 'subject' });
  }

  /**
   * One UPDATE of many rows by `key`. `guards` maps a field to the column that must still hold it
   * for the row to be written; `rename` maps a field to the column it sets (default: its own name).
   */
  private async update(
    table: string,
    key: string,
    rows: Row[],
    guards: Record<string, string>,
    rename: Record<string, string> = {},
    keyType: 'bigint' | 'varchar' = key === 'id' ? 'bigint' : 'varchar',
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const fields = Object.keys(rows[0]).filter((f) => f !== key);
    const set = fields.filter((f) => !(f in guards)).map((f) => `"${rename[f] ?? f}" = v."${f}"`).join(', ');
    const same = this.postgres ? 'IS NOT DISTINCT FROM' : 'IS';
    const guard = Object.entries(guards).map(([field, column]) => ` AND "${table}"."${column}" ${same} v."${field}"`).join('');
    if (this.postgres) {
      const columns = [`"${key}" ${keyType}`, ...fields.map((f) => `"${f}" text`)].join(', ');
      const result = await this.queryRunner.query(
        `UPDATE "${table}" SET ${set} FROM jsonb_to_recordset($1::jsonb) AS v(${columns}) WHERE "${table}"."${key}" = v."${key}"${guard}`,
        [JSON.stringify(rows)],
      );
      return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : rows.length;
    }
    const columns = [key, ...fields].map((f) => `value ->> '$.${f}' AS "${f}"`).join(', ');
    await this.queryRunner.query(
      `UPDATE "${table}" SET ${set} FROM (SELECT ${columns} FROM json_each(?)) AS v WHERE "${table}"."${key}" = v."${key}"${guard}`,
      [JSON.stringify(rows)],
    );
    const [{ n }] = await this.queryRunner.query('SELECT changes() AS n');
    return Number(n);
  }
}
