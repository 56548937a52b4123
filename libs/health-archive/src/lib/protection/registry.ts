import type { DataSource, DataSourceOptions } from 'typeorm';
import { DataProtection } from './data-protection';

/**
 * Which keys a DataSource's data is sealed with, for what runs inside TypeORM and cannot be given
 * them otherwise: the entities' column transformers and the migration that encrypts the rows stored
 * before. Registered by `healthArchiveDataSourceOptions` (by its options object) and by the module
 * (by the DataSource it opened).
 */
const byOptions = new WeakMap<object, DataProtection>();
const byDataSource = new WeakMap<object, DataProtection>();

export function registerDataProtection(target: DataSourceOptions | DataSource, protection: DataProtection): void {
  (isDataSource(target) ? byDataSource : byOptions).set(target, protection);
}

/** The keys of this DataSource; throws, naming the settings, when it was opened without them. */
export function dataProtectionOf(dataSource: DataSource, forWhat: string): DataProtection {
  const protection = byDataSource.get(dataSource) ?? byOptions.get(dataSource.options);
  if (!protection) {
    throw new Error(`${forWhat} needs the data-protection keys: give the archive \`dataProtection\` (the REST API reads DATA_ENCRYPTION_KEYS and DATA_HASH_KEY)`);
  }
  return protection;
}

function isDataSource(target: DataSourceOptions | DataSource): target is DataSource {
  return typeof (target as DataSource).initialize === 'function';
}
