import { describe, expect, it } from 'vitest';
import { paginatorModel } from './paginator';

describe('paginatorModel', () => {
  it('renders nothing for a single page without jumps', () => {
    expect(paginatorModel({ page_range: [1], current_page: 1, prev_button: null, next_button: null })).toEqual([]);
    expect(paginatorModel(null)).toEqual([]);
  });

  it('renders pages with the current one marked and no jumps on the only window', () => {
    const items = paginatorModel({ page_range: [1, 2, 3], current_page: 2, prev_button: 1, next_button: 3 });
    expect(items.map((i) => `${i.kind}:${i.page}${i.current ? '*' : ''}`)).toEqual([
      'prev:1',
      'page:1',
      'page:2*',
      'page:3',
      'next:3',
    ]);
  });

  it('omits prev on page 1 and next on the last page', () => {
    const first = paginatorModel({ page_range: [1, 2], current_page: 1, prev_button: null, next_button: 2 });
    expect(first[0].kind).toBe('page');
    expect(first[first.length - 1]).toMatchObject({ kind: 'next', page: 2 });
    const last = paginatorModel({ page_range: [1, 2], current_page: 2, prev_button: 1, next_button: null });
    expect(last[0]).toMatchObject({ kind: 'prev', page: 1 });
    expect(last[last.length - 1]).toMatchObject({ kind: 'page', page: 2, current: true });
  });

  it('follows the server window for a long list (page 15 of 30)', () => {
    // right = min(max(15-5,1)+9, 30) = 19, left = 10; prev = 5, next = 25
    const range = Array.from({ length: 10 }, (_, i) => 10 + i);
    const items = paginatorModel({ page_range: range, current_page: 15, prev_button: 5, next_button: 25 });
    expect(items).toHaveLength(12);
    expect(items[0]).toMatchObject({ kind: 'prev', page: 5, label: '‹ 이전' });
    expect(items[11]).toMatchObject({ kind: 'next', page: 25, label: '다음 ›' });
    expect(items.filter((i) => i.current).map((i) => i.page)).toEqual([15]);
    expect(items.find((i) => i.current)?.ariaLabel).toContain('현재 페이지');
  });
});
