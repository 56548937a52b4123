/**
 * The DataSource of TypeORM's CLI (`npm run migration:run`, `migration:revert`,
 * `migration:generate`, …). Same options as the running service: DATABASE_URL and
 * DATABASE_SCHEMA, and the data-protection keys (DATA_ENCRYPTION_KEYS, DATA_HASH_KEY) that the
 * migration encrypting the rows stored before needs; without them, only what needs no data runs.
 */
import { healthArchiveDataSourceOptions, parseDatabaseUrl, parseDataEncryptionKeys, parseHashKey } from '@health-bridge/health-archive';
import { DataSource } from 'typeorm';

const env = (name: string) => process.env[name]?.trim() || undefined;
const url = env('DATABASE_URL') ?? 'sqlite:./data/health-bridge.sqlite';
parseDatabaseUrl(url);
const encryptionKeys = env('DATA_ENCRYPTION_KEYS');
const hashKey = env('DATA_HASH_KEY');

export default new DataSource(
  healthArchiveDataSourceOptions({
    url,
    schema: env('DATABASE_SCHEMA'),
    dataProtection: encryptionKeys && hashKey ? { encryptionKeys: parseDataEncryptionKeys(encryptionKeys), hashKey: parseHashKey(hashKey) } : undefined,
  }),
);
