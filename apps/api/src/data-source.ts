/**
 * The DataSource of TypeORM's CLI (`npm run migration:run`, `migration:revert`,
 * `migration:generate`, …). Same options as the running service: DATABASE_URL and
 * DATABASE_SCHEMA, nothing else.
 */
import { healthArchiveDataSourceOptions, parseDatabaseUrl } from '@health-bridge/health-archive';
import { DataSource } from 'typeorm';

const url = process.env['DATABASE_URL']?.trim() || 'sqlite:./data/health-bridge.sqlite';
parseDatabaseUrl(url);

export default new DataSource(healthArchiveDataSourceOptions({ url, schema: process.env['DATABASE_SCHEMA']?.trim() || undefined }));
