// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, createElement } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { clockTimers, TICK_MS, useClock } from './clock';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('useClock', () => {
  let host: HTMLDivElement;
  let root: Root;
  const renders: number[] = [];
  function Card({ id }: { id: number }) {
    const now = useClock();
    renders.push(id);
    return createElement('span', { 'data-id': id }, String(now));
  }

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-28T03:00:00Z'));
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    renders.length = 0;
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    vi.useRealTimers();
  });

  it('runs one interval for many cards, moves them all on each tick and stops with the last', () => {
    act(() => root.render(createElement('div', null, [1, 2, 3].map((id) => createElement(Card, { key: id, id })))));
    expect(clockTimers()).toBe(1);
    const first = host.querySelector('[data-id="1"]')!.textContent;
    renders.length = 0;
    act(() => {
      vi.advanceTimersByTime(TICK_MS);
    });
    expect(renders.sort()).toEqual([1, 2, 3]);
    const texts = [...host.querySelectorAll('span')].map((s) => Number(s.textContent));
    expect(new Set(texts).size).toBe(1);
    expect(texts[0] - Number(first)).toBe(TICK_MS);
    act(() => root.render(createElement('div')));
    expect(clockTimers()).toBe(0);
  });
});
