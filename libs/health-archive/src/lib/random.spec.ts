import { randomBytesPooled } from './random';

describe('randomBytesPooled', () => {
  it('serves the length asked for, different bytes each time, across refills of the pool', () => {
    const seen = new Set<string>();
    // 12 bytes × 1,000 draws: the 4 KiB pool is refilled twice.
    for (let i = 0; i < 1000; i++) {
      const bytes = randomBytesPooled(12);
      expect(bytes).toHaveLength(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(1000);
  });

  it('hands out copies: changing one changes nothing drawn later', () => {
    const first = randomBytesPooled(16);
    first.fill(0);
    expect(randomBytesPooled(16).equals(Buffer.alloc(16))).toBe(false);
  });

  it('looks uniform: every byte value appears in 64 KiB drawn', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 256; i++) for (const b of randomBytesPooled(256)) counts[b]++;
    // 65,536 bytes: each value expected 256 times; a broken pool (zeros, repeats) fails this.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });

  it('refuses more than 256 bytes', () => {
    expect(() => randomBytesPooled(257)).toThrow(RangeError);
  });
});
