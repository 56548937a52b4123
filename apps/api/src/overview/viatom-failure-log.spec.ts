import type { ViatomCallReport } from '@health-bridge/viatom-client';
import { VIATOM_FAILURES_KEPT, ViatomFailureLog } from './viatom-failure-log';

const call = (overrides: Partial<ViatomCallReport> = {}): ViatomCallReport => ({ endpoint: 'cancel', outcome: 'timeout', attempts: 3, durationMs: 2000.4, httpStatus: null, ...overrides });

describe('ViatomFailureLog', () => {
  it('keeps the failed calls, newest first, as the report tells them; not the successes, nor the calls the open circuit did not make', () => {
    const log = new ViatomFailureLog();
    const before = Date.now();
    log.observe(call({ endpoint: 'jump_path', outcome: 'http-status', durationMs: 12.6, httpStatus: 503 }));
    log.observe(call({ outcome: 'ok', httpStatus: 200 }));
    log.observe(call({ outcome: 'circuit-open', attempts: 0, durationMs: 0.1 }));
    log.observe(call({ outcome: 'refused', durationMs: 40, httpStatus: 200 }));
    const recent = log.recent();
    expect(recent).toEqual([
      { at: expect.any(Date), endpoint: 'cancel', status: 200, error: 'refused', durationMs: 40 },
      { at: expect.any(Date), endpoint: 'jump_path', status: 503, error: 'http-status', durationMs: 13 },
    ]);
    for (const failure of recent) expect(failure.at.getTime()).toBeGreaterThanOrEqual(before);
    // Copies: what a reader does with them changes nothing kept.
    recent[0].error = 'timeout';
    expect(log.recent()[0].error).toBe('refused');
  });

  it(`keeps the last ${VIATOM_FAILURES_KEPT}`, () => {
    const log = new ViatomFailureLog();
    for (let i = 0; i < VIATOM_FAILURES_KEPT + 5; i++) log.observe(call({ durationMs: i }));
    expect(log.recent().map((f) => f.durationMs)).toEqual(Array.from({ length: VIATOM_FAILURES_KEPT }, (_, i) => VIATOM_FAILURES_KEPT + 4 - i));
  });
});
