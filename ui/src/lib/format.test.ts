import { describe, expect, it } from 'vitest';
import { boardPlace, clockTime, dayLabel, formatDistance, fullTime, placeName, relativeTime } from './format';

describe('relativeTime', () => {
  const now = new Date('2026-11-26T03:00:00Z');
  it('counts minutes, hours and days', () => {
    expect(relativeTime('2026-11-26T02:59:30Z', now)).toBe('방금 전');
    expect(relativeTime('2026-11-26T02:55:00Z', now)).toBe('5분 전');
    expect(relativeTime('2026-11-26T00:00:00Z', now)).toBe('3시간 전');
    expect(relativeTime('2026-11-24T03:00:00Z', now)).toBe('2일 전');
  });
  it('shows the Seoul calendar date for older posts', () => {
    // 2026-11-01T16:00Z is 11월 2일 01:00 in Seoul
    expect(relativeTime('2026-11-01T16:00:00Z', now)).toBe('11월 2일');
    expect(relativeTime('2025-03-01T00:00:00Z', now)).toContain('2025');
  });
  it('tolerates bad input and clock skew', () => {
    expect(relativeTime('nope', now)).toBe('');
    expect(relativeTime('2026-11-26T03:05:00Z', now)).toBe('방금 전');
  });
  it('formats full times in Asia/Seoul', () => {
    expect(fullTime('2026-11-26T01:34:49Z')).toContain('10:34');
  });
});

// What Chromium's Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', … })
// gives for these instants (Node's ICU here differs: "AM 10:34", "24:00"); the
// hand-written formatting must match it.
describe('Seoul dates without Intl', () => {
  const cases: [string, string, string, string][] = [
    // instant, fullTime, clockTime, dayLabel
    ['2026-11-26T01:34:49Z', '2026년 11월 26일 10:34', '오전 10:34', '2026년 11월 26일 목요일'],
    ['2026-11-25T15:00:00Z', '2026년 11월 26일 00:00', '오전 12:00', '2026년 11월 26일 목요일'],
    ['2026-11-26T03:05:00Z', '2026년 11월 26일 12:05', '오후 12:05', '2026년 11월 26일 목요일'],
    ['2026-01-01T14:59:00Z', '2026년 1월 1일 23:59', '오후 11:59', '2026년 1월 1일 목요일'],
    ['2026-06-30T23:09:00Z', '2026년 7월 1일 08:09', '오전 8:09', '2026년 7월 1일 수요일'],
    ['2025-12-31T15:00:00Z', '2026년 1월 1일 00:00', '오전 12:00', '2026년 1월 1일 목요일'],
    ['2026-11-28T09:30:00+09:00', '2026년 11월 28일 09:30', '오전 9:30', '2026년 11월 28일 토요일'],
  ];
  it.each(cases)('%s', (iso, full, clock, day) => {
    expect(fullTime(iso)).toBe(full);
    expect(clockTime(iso)).toBe(clock);
    expect(dayLabel(iso)).toBe(day);
  });
  it('compares years in Seoul, not UTC', () => {
    // 2025-12-31T15:00Z is already 2026 in Seoul
    expect(relativeTime('2025-12-15T03:00:00Z', new Date('2025-12-31T15:00:00Z'))).toBe('2025년 12월 15일');
    expect(relativeTime('2026-01-01T00:00:00Z', new Date('2026-01-20T00:00:00Z'))).toBe('1월 1일');
  });
  it('returns nothing for a bad date', () => {
    expect(fullTime('x')).toBe('');
    expect(clockTime('x')).toBe('');
    expect(dayLabel('x')).toBe('');
  });
});

describe('formatDistance', () => {
  it('hides zero and unknown, uses m below 1 km', () => {
    expect(formatDistance(0)).toBe('');
    expect(formatDistance(null)).toBe('');
    expect(formatDistance(0.85)).toBe('850m');
    expect(formatDistance(1.234)).toBe('1.2km');
  });
});

describe('placeName and boardPlace', () => {
  const sajik = { code: '1111053000', name: '서울특별시 종로구 사직동' };
  const cheongun = { code: '1111051500', name: '서울특별시 종로구 청운효자동' };
  it('keeps the last words of a name', () => {
    expect(placeName(sajik.name, 1)).toBe('사직동');
    expect(placeName(sajik.name, 2)).toBe('종로구 사직동');
    expect(placeName('경기도 성남시 분당구 정자1동', 2)).toBe('분당구 정자1동');
    expect(placeName('  사직동 ', 2)).toBe('사직동');
    expect(placeName('', 1)).toBe('');
  });
  it('says the dong alone in my own neighbourhood and the gu too for another', () => {
    expect(boardPlace(sajik, sajik.code)).toBe('사직동');
    expect(boardPlace(cheongun, sajik.code)).toBe('종로구 청운효자동');
    expect(boardPlace(sajik, null)).toBe('종로구 사직동');
    expect(boardPlace(null, sajik.code)).toBe('');
  });
});
