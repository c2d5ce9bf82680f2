import { describe, expect, it } from 'vitest';
import { paginatorModel } from './paginator';

const show = (items: ReturnType<typeof paginatorModel>) =>
  items.map((i) => `${i.kind}:${i.page}${i.current ? '*' : ''}${i.far ? '~' : ''}`);

describe('paginatorModel', () => {
  it('renders nothing for a single page without jumps', () => {
    expect(paginatorModel({ page_range: [1], current_page: 1, prev_button: null, next_button: null })).toEqual([]);
    expect(paginatorModel(null)).toEqual([]);
  });

  it('renders pages with the current one marked, prev and next one page away', () => {
    const items = paginatorModel({ page_range: [1, 2, 3], current_page: 2, prev_button: 1, next_button: 3 });
    expect(show(items)).toEqual(['prev:1', 'page:1', 'page:2*', 'page:3', 'next:3']);
  });

  it('omits prev on page 1 and next on the last page', () => {
    const first = paginatorModel({ page_range: [1, 2], current_page: 1, prev_button: null, next_button: 2 });
    expect(first[0].kind).toBe('page');
    expect(first[first.length - 1]).toMatchObject({ kind: 'next', page: 2 });
    const last = paginatorModel({ page_range: [1, 2], current_page: 2, prev_button: 1, next_button: null });
    expect(last[0]).toMatchObject({ kind: 'prev', page: 1 });
    expect(last[last.length - 1]).toMatchObject({ kind: 'page', page: 2, current: true });
  });

  it('steps one page, not the server’s ten, on a long list (page 15 of 30)', () => {
    // The server's window is 10…19 with prev 5 and next 25.
    const range = Array.from({ length: 10 }, (_, i) => 10 + i);
    const items = paginatorModel({ page_range: range, current_page: 15, prev_button: 5, next_button: 25 });
    expect(show(items)).toEqual(['prev:14', 'page:13~', 'page:14', 'page:15*', 'page:16', 'page:17~', 'next:16']);
    expect(items[0]).toMatchObject({ label: '‹ 이전', ariaLabel: '이전 페이지 (14쪽)' });
    expect(items[items.length - 1]).toMatchObject({ label: '다음 ›', ariaLabel: '다음 페이지 (16쪽)' });
    expect(items.find((i) => i.current)?.ariaLabel).toContain('현재 페이지');
    // the visible number is a word of the accessible name (label-content-name-mismatch)
    for (const it of items.filter((i) => i.kind === 'page')) expect(it.ariaLabel.split(/[\s,]+/)).toContain(it.label);
  });

  it('keeps five numbers at the edges, the three nearest not far', () => {
    const range = Array.from({ length: 10 }, (_, i) => 1 + i);
    const first = paginatorModel({ page_range: range, current_page: 1, prev_button: null, next_button: 11 });
    expect(show(first)).toEqual(['page:1*', 'page:2', 'page:3', 'page:4~', 'page:5~', 'next:2']);
    const last = paginatorModel({ page_range: range, current_page: 10, prev_button: 1, next_button: null });
    expect(show(last)).toEqual(['prev:9', 'page:6~', 'page:7~', 'page:8', 'page:9', 'page:10*']);
  });

  it('shows at most three numbers that are not far, so a phone shows prev, three pages and next', () => {
    for (let cur = 1; cur <= 30; cur++) {
      const right = Math.min(Math.max(cur - 5, 1) + 9, 30);
      const left = Math.max(right - 9, 1);
      const range = Array.from({ length: right - left + 1 }, (_, i) => left + i);
      const items = paginatorModel({
        page_range: range,
        current_page: cur,
        prev_button: cur === 1 ? null : Math.max(cur - 10, 1),
        next_button: cur === 30 ? null : Math.min(cur + 10, 30),
      });
      const near = items.filter((i) => i.kind === 'page' && !i.far);
      expect(near.length).toBe(3);
      expect(near.some((i) => i.current)).toBe(true);
      expect(items.filter((i) => i.kind === 'page').length).toBe(5);
    }
  });
});
