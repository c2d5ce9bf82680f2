import type { Paginator } from './types';

export interface PageItem {
  kind: 'prev' | 'page' | 'next';
  page: number;
  label: string;
  ariaLabel: string;
  current: boolean;
}

/**
 * The buttons to render for the server's paginator object: an optional
 * "이전" jump (prev_button), one button per page_range entry, and an
 * optional "다음" jump (next_button). A single page with no jumps renders
 * nothing, and so does no paginator (the page is still loading).
 */
export function paginatorModel(p: Paginator | undefined | null): PageItem[] {
  if (!p) return [];
  const pages = p.page_range;
  const hasPrev = p.prev_button !== null;
  const hasNext = p.next_button !== null;
  if (pages.length <= 1 && !hasPrev && !hasNext) return [];
  const items: PageItem[] = [];
  if (hasPrev) {
    items.push({
      kind: 'prev',
      page: p.prev_button as number,
      label: '‹ 이전',
      ariaLabel: `이전 페이지들 (${p.prev_button}쪽으로)`,
      current: false,
    });
  }
  for (const n of pages) {
    const current = n === p.current_page;
    items.push({
      kind: 'page',
      page: n,
      label: String(n),
      ariaLabel: current ? `${n}쪽, 현재 페이지` : `${n}쪽`,
      current,
    });
  }
  if (hasNext) {
    items.push({
      kind: 'next',
      page: p.next_button as number,
      label: '다음 ›',
      ariaLabel: `다음 페이지들 (${p.next_button}쪽으로)`,
      current: false,
    });
  }
  return items;
}
