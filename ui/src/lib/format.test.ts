import { describe, expect, it } from 'vitest';
import { boardPlace, formatDistance, fullTime, placeName, relativeTime } from './format';

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
