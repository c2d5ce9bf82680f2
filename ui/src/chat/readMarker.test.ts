import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readMarker } from './readMarker';

describe('readMarker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first mark at once, then at most one a second with the newest id', () => {
    const sent: number[] = [];
    const r = readMarker((id) => sent.push(id), 1000);
    r.mark(5);
    expect(sent).toEqual([5]);
    r.mark(6);
    r.mark(8);
    r.mark(7); // older than what waits: ignored
    expect(sent).toEqual([5]);
    vi.advanceTimersByTime(999);
    expect(sent).toEqual([5]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([5, 8]);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([5, 8]); // nothing new, nothing sent
    r.mark(8); // sent already: ignored
    expect(sent).toEqual([5, 8]);
    r.mark(9); // a second after the last: at once
    expect(sent).toEqual([5, 8, 9]);
  });

  it('flush sends what waits now and starts a new interval', () => {
    const sent: number[] = [];
    const r = readMarker((id) => sent.push(id), 1000);
    r.mark(1);
    r.mark(2);
    r.flush();
    expect(sent).toEqual([1, 2]);
    r.flush(); // nothing waits
    expect(sent).toEqual([1, 2]);
    r.mark(3);
    expect(sent).toEqual([1, 2]); // the flush started a new interval
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1, 2, 3]);
  });
});
