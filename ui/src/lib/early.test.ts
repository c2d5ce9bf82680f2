import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { earlyOr, earlyPaths, MAX_AGE_MS, startEarly, takeEarly } from './early';

/** A fetch that answers each path with the next of its answers, counting calls. */
function fakeFetch(answers: Record<string, { status: number; body: unknown }[]>) {
  const calls: string[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const p = String(input);
    calls.push(p);
    const a = answers[p]?.shift() ?? { status: 404, body: '없어요' };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('early requests', () => {
  it('hands an answer to the first taker only', async () => {
    const calls = fakeFetch({ '/api/x/': [{ status: 200, body: { n: 1 } }] });
    startEarly('/api/x/');
    expect(calls).toEqual(['/api/x/']);
    const p = takeEarly<{ n: number }>('/api/x/');
    expect(p).not.toBeNull();
    expect(await p).toEqual({ n: 1 });
    expect(takeEarly('/api/x/')).toBeNull();
    expect(takeEarly('/api/never-started/')).toBeNull();
  });

  it('does not hand out an answer older than MAX_AGE_MS', () => {
    fakeFetch({ '/api/old/': [{ status: 200, body: {} }] });
    startEarly('/api/old/', 1_000);
    expect(takeEarly('/api/old/', 1_000 + MAX_AGE_MS + 1)).toBeNull();
    expect(takeEarly('/api/old/', 1_000)).toBeNull(); // dropped by the first take
  });

  it('earlyOr: uses a successful early answer without asking again', async () => {
    const calls = fakeFetch({ '/api/room/': [{ status: 200, body: { id: 7 } }] });
    startEarly('/api/room/');
    const own = vi.fn(async () => ({ id: -1 }));
    expect(await earlyOr('/api/room/', own)).toEqual({ id: 7 });
    expect(own).not.toHaveBeenCalled();
    expect(calls).toEqual(['/api/room/']);
  });

  it('earlyOr: a failed early answer is asked again by the caller, whose error counts', async () => {
    fakeFetch({ '/api/room/': [{ status: 401, body: '로그인이 필요해요.' }] });
    startEarly('/api/room/');
    const own = vi.fn(async () => {
      throw new ApiError(403, '참여하지 않은 방이에요.');
    });
    await expect(earlyOr('/api/room/', own)).rejects.toMatchObject({ status: 403 });
    expect(own).toHaveBeenCalledTimes(1);
  });

  it('earlyOr: without an early request the caller asks', async () => {
    const own = vi.fn(async () => 5);
    expect(await earlyOr('/api/none/', own)).toBe(5);
    expect(own).toHaveBeenCalledTimes(1);
  });

  it('an untaken failure is not an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      fakeFetch({ '/api/fails/': [{ status: 500, body: '오류' }] });
      startEarly('/api/fails/');
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
      takeEarly('/api/fails/');
    }
  });

  it('earlyPaths: the sign-in check everywhere, plus room and order in a room', () => {
    expect(earlyPaths('/')).toEqual(['/api/user/current/']);
    expect(earlyPaths('/post/3/')).toEqual(['/api/user/current/']);
    expect(earlyPaths('/chat/12/')).toEqual(['/api/user/current/', '/api/chat/12/', '/api/chat/12/order/']);
    expect(earlyPaths('/chat/12')).toEqual(['/api/user/current/', '/api/chat/12/', '/api/chat/12/order/']);
    expect(earlyPaths('/chat/abc/')).toEqual(['/api/user/current/']);
    expect(earlyPaths('/chat/..%2f/')).toEqual(['/api/user/current/']);
  });
});
