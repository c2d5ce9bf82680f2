import { describe, expect, it } from 'vitest';
import { accountNumber, feeAt, parseWon, previewShare, progressPct, timeLeft, won } from './money';

describe('won', () => {
  it.each([
    [0, '0원'],
    [950, '950원'],
    [3000, '3,000원'],
    [1234567, '1,234,567원'],
    [400010000, '400,010,000원'],
    [-1500, '-1,500원'],
    [null, '0원'],
    [Number.NaN, '0원'],
  ])('%s → %s', (n, s) => expect(won(n as number)).toBe(s));

  it('reads typed amounts back', () => {
    expect(parseWon('3,000원')).toBe(3000);
    expect(parseWon('')).toBeNull();
    expect(parseWon('원')).toBeNull();
    expect(parseWon('0')).toBe(0);
  });
});

describe('timeLeft', () => {
  const now = Date.parse('2026-11-28T18:00:00+09:00');
  const at = (sec: number) => new Date(now + sec * 1000).toISOString();
  it.each([
    [30 * 60, '30분 남음'],
    [23 * 60 - 30, '23분 남음'], // minutes round up: 22m30s left reads 23분
    [61, '2분 남음'],
    [60, '1분 남음'],
    [59, '곧 마감'],
    [1, '곧 마감'],
    [0, '마감 시간 지남'],
    [-600, '마감 시간 지남'],
    [60 * 60, '1시간 남음'],
    [65 * 60, '1시간 5분 남음'],
    [24 * 3600, '24시간 남음'],
  ])('%i s ahead → %s', (sec, text) => expect(timeLeft(at(sec), now)).toBe(text));

  it('takes the offset of the server’s KST time into account', () => {
    expect(timeLeft('2026-11-28T18:23:00+09:00', now)).toBe('23분 남음');
    expect(timeLeft('2026-11-28T09:23:00Z', now)).toBe('23분 남음');
  });

  it('is empty without a deadline or with garbage', () => {
    expect(timeLeft(null, now)).toBe('');
    expect(timeLeft('soon', now)).toBe('');
  });
});

describe('fee tiers and the write form preview', () => {
  const tiers = [
    { from_total: 20000, fee: 1000 },
    { from_total: 30000, fee: 0 },
  ];
  it('picks the tier with the highest from_total at or under the total', () => {
    expect(feeAt(19000, 3000, tiers)).toBe(3000);
    expect(feeAt(20000, 3000, tiers)).toBe(1000);
    expect(feeAt(35000, 3000, tiers)).toBe(0);
    expect(feeAt(10000, 3000, [{ from_total: 0, fee: 4000 }])).toBe(4000);
    expect(feeAt(10000, 3000, null)).toBe(3000);
  });

  it('splits the fee at the minimum over the headcount, down to 10원', () => {
    expect(previewShare(3000, 20000, [], 4)).toBe(750);
    expect(previewShare(3000, 20000, [], 7)).toBe(420);
    expect(previewShare(2500, 0, [], 3)).toBe(830);
    expect(previewShare(3000, 20000, tiers, 2)).toBe(500); // the 20,000 tier applies at the minimum
    expect(previewShare(50, 0, [], 7)).toBe(0);
    expect(previewShare(0, 20000, [], 4)).toBe(0);
    expect(previewShare(3000, 20000, [], 0)).toBe(0);
  });
});

describe('progress and payment text', () => {
  it('reaches 100% at the minimum and stays there', () => {
    expect(progressPct(0, 20000)).toBe(0);
    expect(progressPct(9000, 20000)).toBe(45);
    expect(progressPct(25500, 20000)).toBe(100);
    expect(progressPct(100, 0)).toBe(100);
  });

  it('finds the account number to copy', () => {
    expect(accountNumber('카카오뱅크 3333-01-1234567 김민수')).toBe('3333-01-1234567');
    expect(accountNumber('국민 123456789012')).toBe('123456789012');
    expect(accountNumber('https://toss.me/minsu')).toBe('');
  });
});
