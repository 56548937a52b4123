import { randomFillSync } from 'node:crypto';

/** Random bytes drawn from node's CSPRNG this many at a time (as node's own randomUUID does with its cache). */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `n` bytes (at most 256) from the CSPRNG, served from a pool refilled in blocks: a call of
 * `crypto.randomBytes` costs some microseconds on these machines, and a push draws several
 * (each sealed value's nonce, its event id). Each byte is handed out once; the result is a copy.
 */
export function randomBytesPooled(n: number): Buffer {
  if (n > 256) throw new RangeError('randomBytesPooled serves at most 256 bytes');
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + n));
  // Handed out bytes are overwritten: nothing of them stays in the pool.
  pool.fill(0, offset, offset + n);
  offset += n;
  return bytes;
}
