import { describe, expect, it } from 'vitest';
import { formatDateTime, formatPercent, formatQuantity, fromLocalInput, toLocalInput } from './format';
import { languageOf, MESSAGES, translator } from './i18n';
import { explainPush } from './outcomes';

describe('languages', () => {
  it('follows the browser: any zh tag gives Chinese, the first known language wins, English otherwise', () => {
    expect(languageOf(['zh-CN', 'en'])).toBe('zh');
    expect(languageOf(['zh-Hant-TW'])).toBe('zh');
    expect(languageOf(['en-US', 'zh-CN'])).toBe('en');
    expect(languageOf(['fr-FR', 'zh'])).toBe('zh');
    expect(languageOf(['fr-FR'])).toBe('en');
    expect(languageOf([])).toBe('en');
  });

  it('has every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(MESSAGES.en) as Array<keyof typeof MESSAGES.en>) {
      expect(MESSAGES.zh[key], key).toBeTruthy();
      expect(placeholders(MESSAGES.zh[key]), key).toEqual(placeholders(MESSAGES.en[key]));
    }
  });

  it('fills placeholders and leaves an unknown one as written', () => {
    expect(translator('en')('pushesTotal', { n: 3 })).toBe('3 pushes');
    expect(translator('zh')('pushesTotal', { n: 3 })).toBe('共 3 条推送');
    expect(translator('en')('pushesTotal')).toBe('{n} pushes');
  });
});

describe('formatting', () => {
  it('writes instants in the given zone, to the second', () => {
    expect(formatDateTime('2026-12-01T06:03:05Z', 'en', 'Asia/Shanghai')).toBe('2026-12-01 14:03:05');
    expect(formatDateTime('2026-12-01T06:03:05Z', 'zh', 'UTC')).toBe('2026-12-01 06:03:05');
    expect(formatDateTime(null, 'en')).toBe('—');
    expect(formatDateTime('garbage', 'en')).toBe('garbage');
  });

  it('writes UCUM quantities as readers expect them', () => {
    expect(formatQuantity(128, 'mm[Hg]', 'en')).toBe('128 mmHg');
    expect(formatQuantity(36.65, 'Cel', 'en')).toBe('36.65 °C');
    expect(formatQuantity(3, '1', 'en')).toBe('3');
    expect(formatQuantity(1234.5, 'kg', 'en')).toBe('1,234.5 kg');
    expect(formatPercent(0.9751, 'en')).toBe('97.5 %');
    expect(formatPercent(null, 'en')).toBe('—');
  });

  it('reads a datetime-local value back to the same local minute, and refuses anything else', () => {
    const date = new Date(2026, 10, 30, 23, 59);
    expect(toLocalInput(date)).toBe('2026-11-30T23:59');
    expect(fromLocalInput('2026-11-30T23:59')!.getTime()).toBe(date.getTime());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2026-11-30')).toBeNull();
  });
});

describe('push outcomes in words', () => {
  const push = { phone: '15312341234', orderedBy: 'source' as const };
  it('says why a measurement was refused', () => {
    expect(explainPush({ ...push, type: 1, outcome: 'ignored' }, 'en')).toMatch(/^Refused: .*none of its people is still authorized/);
    expect(explainPush({ ...push, type: 1, outcome: 'ignored' }, 'zh')).toMatch(/^已拒收/);
  });
  it('says a stale change was older than the last one, and what it was ordered by', () => {
    expect(explainPush({ ...push, type: 3, outcome: 'stale' }, 'en')).toMatch(/^Stale: older than the last change.*ordered by its own time/);
    expect(explainPush({ ...push, type: 2, outcome: 'stale', orderedBy: 'received-no-source-time' }, 'en')).toMatch(/no usable time/);
  });
  it('names an unknown type, and says applied and archived in words', () => {
    expect(explainPush({ ...push, type: 7, outcome: 'ignored' }, 'en')).toMatch(/type 7 is not one health-bridge acts on/);
    expect(explainPush({ ...push, type: null, outcome: 'ignored' }, 'en')).toMatch(/\(unreadable\)/);
    expect(explainPush({ ...push, type: 2, outcome: 'applied' }, 'en')).toMatch(/^Applied: this authorization changed/);
    expect(explainPush({ ...push, type: 1, outcome: 'archived' }, 'en')).toMatch(/^Archived/);
  });
});
