/**
 * `npm run data:reencrypt`: seals again, with the current key (the first of DATA_ENCRYPTION_KEYS),
 * every value sealed with an older key or still in clear, in the database of DATABASE_URL (and
 * DATABASE_SCHEMA). Safe beside the running service, and to run again. Then the old key may be
 * dropped from DATA_ENCRYPTION_KEYS. Prints counts, never a value or a key.
 */
import { DataSource } from 'typeorm';
import {
  DataProtection,
  healthArchiveDataSourceOptions,
  parseDataEncryptionKeys,
  parseHashKey,
  reencryptArchive,
  verifyDataKeys,
} from '@health-bridge/health-archive';

async function main(): Promise<void> {
  const env = (name: string) => process.env[name]?.trim() || undefined;
  const keys = env('DATA_ENCRYPTION_KEYS');
  const hashKey = env('DATA_HASH_KEY');
  if (!keys || !hashKey) throw new Error('set DATA_ENCRYPTION_KEYS (the new key first, the old ones after it) and DATA_HASH_KEY');
  const protection = new DataProtection({ encryptionKeys: parseDataEncryptionKeys(keys), hashKey: parseHashKey(hashKey) });
  const url = env('DATABASE_URL') ?? 'sqlite:./data/health-bridge.sqlite';
  const dataSource = await new DataSource(healthArchiveDataSourceOptions({ url, schema: env('DATABASE_SCHEMA'), dataProtection: protection })).initialize();
  try {
    if (await dataSource.showMigrations()) throw new Error('the database has migrations pending: run them first (npm run migration:run, or start the service)');
    await verifyDataKeys(dataSource, protection);
    const done = await reencryptArchive(dataSource, protection);
    for (const [column, count] of Object.entries(done)) console.log(`${column}: ${count} sealed again with "${protection.currentKeyId}"`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  console.error(`data:reencrypt failed: ${error.message}`);
  process.exit(1);
});
