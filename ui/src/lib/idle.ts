/**
 * Run fn in the browser's next idle period (at most timeoutMs from now), or
 * after fallbackMs where there is no requestIdleCallback (Safari). For work
 * a screen wants soon but not in the task that first shows it. Returns a
 * cancel function.
 */
export function whenIdle(fn: () => void, timeoutMs = 2000, fallbackMs = 0): () => void {
  if (typeof window.requestIdleCallback === 'function') {
    const id = window.requestIdleCallback(() => fn(), { timeout: timeoutMs });
    return () => window.cancelIdleCallback(id);
  }
  const id = window.setTimeout(fn, fallbackMs);
  return () => window.clearTimeout(id);
}
