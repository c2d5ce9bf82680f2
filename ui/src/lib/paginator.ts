import type { Paginator } from './types';

export interface PageItem {
  kind: 'prev' | 'page' | 'next';
  page: number;
  label: string;
  ariaLabel: string;
  current: boolean;
  /** A page number outside the three nearest the current one: phones hide it so the pager fits one line. */
  far: boolean;
}

/** The `size` consecutive pages around cur that stay inside lo…hi. */
function around(cur: number, lo: number, hi: number, size: number): [number, number] {
  let from = Math.max(lo, cur - Math.floor(size / 2));
  const to = Math.min(hi, from + size - 1);
  from = Math.max(lo, to - size + 1);
  return [from, to];
}

/**
 * The buttons to render for the server's paginator object: "‹ 이전" and
 * "다음 ›", which move ONE page (the server's prev_button / next_button jump
 * ten pages; we only read whether they are there, i.e. whether this is the
 * first or last page), and up to five page numbers around the current one,
 * taken from page_range (the outer two marked `far`). A single page renders
 * nothing, and so does no paginator (the page is still loading).
 */
export function paginatorModel(p: Paginator | undefined | null): PageItem[] {
  if (!p || p.page_range.length === 0) return [];
  const cur = p.current_page;
  const hasPrev = p.prev_button !== null && cur > 1;
  const hasNext = p.next_button !== null;
  if (p.page_range.length <= 1 && !hasPrev && !hasNext) return [];
  const lo = p.page_range[0];
  const hi = p.page_range[p.page_range.length - 1];
  const [from, to] = around(cur, lo, hi, 5);
  const [nearFrom, nearTo] = around(cur, lo, hi, 3);
  const items: PageItem[] = [];
  if (hasPrev) {
    items.push({ kind: 'prev', page: cur - 1, label: '‹ 이전', ariaLabel: `이전 페이지 (${cur - 1}쪽)`, current: false, far: false });
  }
  for (const n of p.page_range) {
    if (n < from || n > to) continue;
    const current = n === cur;
    items.push({
      kind: 'page',
      page: n,
      label: String(n),
      // "3 쪽", not "3쪽": the name must hold the visible "3" as a word of
      // its own (axe's label-content-name-mismatch segments "3쪽" as one).
      ariaLabel: current ? `${n} 쪽, 현재 페이지` : `${n} 쪽`,
      current,
      far: n < nearFrom || n > nearTo,
    });
  }
  if (hasNext) {
    items.push({ kind: 'next', page: cur + 1, label: '다음 ›', ariaLabel: `다음 페이지 (${cur + 1}쪽)`, current: false, far: false });
  }
  return items;
}
