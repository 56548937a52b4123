#!/usr/bin/env node
// `npm run keys:generate`: new keys for the encryption at rest, as the lines of an env file.
// DATA_ENCRYPTION_KEYS seals (AES-256-GCM); DATA_HASH_KEY keys the phones' hashes (HMAC-SHA256).
// To rotate: put the new DATA_ENCRYPTION_KEYS entry first, keep the old ones after it, restart,
// run `npm run data:reencrypt`, then drop the old entries. Never rotate DATA_HASH_KEY.
import { randomBytes } from 'node:crypto';

const id = process.argv.find((a) => a.startsWith('--id='))?.slice(5) ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
  console.error('--id: 1 to 32 letters, digits, _ or -');
  process.exit(2);
}
console.log(`DATA_ENCRYPTION_KEYS=${id}:${randomBytes(32).toString('base64')}`);
if (!process.argv.includes('--encryption-only')) console.log(`DATA_HASH_KEY=${randomBytes(32).toString('base64')}`);
