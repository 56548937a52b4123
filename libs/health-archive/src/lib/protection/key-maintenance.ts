import type { DataSource } from 'typeorm';
import { dialectOf } from '../database/dialect';
import { DataProtection, DataProtectionKeyError, type SealPurpose } from './data-protection';
import { RowRewriter } from './row-rewriter';

/** Every sealed column: its table, its column, what it is sealed for. */
const SEALED_COLUMNS: ReadonlyArray<{ table: string; column: string; purpose: SealPurpose }> = [
  { table: 'user_authorization', column: 'phone_enc', purpose: 'phone' },
  { table: 'push_log', column: 'phone_enc', purpose: 'phone' },
  { table: 'push_log', column: 'raw_message', purpose: 'push_log.raw_message' },
  { table: 'measurement', column: 'data', purpose: 'measurement.data' },
  { table: 'event', column: 'phone_enc', purpose: 'phone' },
  { table: 'event', column: 'data', purpose: 'event.data' },
  { table: 'webhook_endpoint', column: 'secret', purpose: 'webhook_endpoint.secret' },
  { table: 'webhook_endpoint', column: 'previous_secret', purpose: 'webhook_endpoint.secret' },
];

/**
 * Seals again, with the current key (the first of DATA_ENCRYPTION_KEYS), every value sealed with
 * another key or still in clear: the step of a key rotation after which the old key may be dropped.
 * Runs beside the service (each batch is its own statement, and a row changed meanwhile is left as
 * it became), and may be run again: what is current is not touched. Answers how many values were
 * sealed again, by `table.column`.
 */
export async function reencryptArchive(dataSource: DataSource, protection: DataProtection): Promise<Record<string, number>> {
  const runner = dataSource.createQueryRunner();
  try {
    const rows = new RowRewriter(runner, dialectOf(dataSource) === 'postgres', () => protection);
    const done: Record<string, number> = {};
    for (const { table, column, purpose } of SEALED_COLUMNS) {
      // The prefix holds only the key id's characters (letters, digits, _ and -): no quote, and no LIKE wildcard but _, which matches itself too.
      const notCurrent = `"${column}" IS NOT NULL AND "${column}" <> '' AND "${column}" NOT LIKE '${protection.currentPrefix}%'`;
      done[`${table}.${column}`] = await rows.rewrite(table, [column], (p, row) => ({ [column]: p.seal(purpose, p.open(purpose, row[column] as string)) }), notCurrent);
    }
    return done;
  } finally {
    await runner.release();
  }
}

/**
 * At start: the keys given are the ones the stored data was sealed and hashed with. Opens the
 * newest person's sealed phone and hashes it again; a key that does not open it, or a hash key that
 * does not give its hash, stops the start (rather than answering errors, or not finding anyone).
 */
export async function verifyDataKeys(dataSource: DataSource, protection: DataProtection): Promise<void> {
  const [row] = (await dataSource.query('SELECT "phone_hash", "phone_enc" FROM "user_authorization" ORDER BY "id" DESC LIMIT 1')) as Array<{ phone_hash: string; phone_enc: string }>;
  if (!row) return;
  let phone: string;
  try {
    phone = protection.open('phone', row.phone_enc);
  } catch (error) {
    throw new DataProtectionKeyError(`the data-encryption keys given do not open the stored data (DATA_ENCRYPTION_KEYS): ${(error as Error).message}`);
  }
  if (protection.phoneHash(phone) !== row.phone_hash) {
    throw new DataProtectionKeyError('the hash key given is not the one the stored phones were hashed with (DATA_HASH_KEY): no one would be found by phone');
  }
}
