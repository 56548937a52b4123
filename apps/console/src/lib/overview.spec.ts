import { describe, expect, it } from 'vitest';
import { pushFlow } from './overview';

describe('push flow per minute', () => {
  it('fills every minute of the window and stacks one series per type and outcome', () => {
    const flow = pushFlow(
      [
        { minute: '2026-12-01T10:02:00.000Z', type: '1', outcome: 'ignored', count: 1 },
        { minute: '2026-12-01T10:01:00.000Z', type: '2', outcome: 'applied', count: 2 },
        { minute: '2026-12-01T10:01:00.000Z', type: '1', outcome: 'archived', count: 5 },
        { minute: '2026-12-01T10:03:00.000Z', type: '1', outcome: 'archived', count: 3 },
      ],
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:03:42.000Z',
    );
    expect(flow.minutes).toEqual([0, 1, 2, 3].map((m) => Date.parse('2026-12-01T10:00:00Z') + m * 60_000));
    expect(flow.series).toEqual([
      { type: '1', outcome: 'archived', counts: [0, 5, 0, 3] },
      { type: '1', outcome: 'ignored', counts: [0, 0, 1, 0] },
      { type: '2', outcome: 'applied', counts: [0, 2, 0, 0] },
    ]);
    expect(flow.total).toBe(11);
  });

  it('leaves out buckets outside the window and answers an empty flow for none', () => {
    const flow = pushFlow([{ minute: '2026-12-01T09:00:00.000Z', type: '1', outcome: 'archived', count: 9 }], '2026-12-01T10:00:00.000Z', '2026-12-01T10:01:00.000Z');
    expect(flow.series).toEqual([]);
    expect(flow.total).toBe(0);
    expect(flow.minutes).toHaveLength(2);
  });
});
