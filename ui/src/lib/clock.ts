import { useSyncExternalStore } from 'react';

/**
 * One shared clock for relative times ("3분 전", "마감 12분 남음"): a single
 * interval, started by the first subscriber and stopped by the last, however
 * many cards read it. It ticks every 15 s, so a minute-level label is never
 * more than 15 s late, and at once when the tab comes back (a background
 * tab's timers are throttled).
 */
export const TICK_MS = 15_000;

let now = Date.now();
const listeners = new Set<() => void>();
let timer: number | undefined;

function tick() {
  now = Date.now();
  for (const l of listeners) l();
}

function onVisible() {
  if (document.visibilityState === 'visible') tick();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    now = Date.now();
    timer = window.setInterval(tick, TICK_MS);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.clearInterval(timer);
      timer = undefined;
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

/** How many intervals are running (0 or 1); for tests. */
export function clockTimers(): number {
  return timer === undefined ? 0 : 1;
}

/** The shared clock's time in ms; re-renders the caller on each tick. */
export function useClock(): number {
  return useSyncExternalStore(subscribe, () => now);
}
