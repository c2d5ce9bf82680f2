/**
 * `next`: where a sign-in or sign-up returns to (a shared post link sends
 * its visitor through them). Only same-site paths are followed: a path
 * that starts with "/" but not "//" or "/\" (both of which browsers read
 * as another host).
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/** path with ?next= when next is a same-site path other than "/". */
export function withNext(path: string, next: string | null | undefined): string {
  const n = safeNext(next);
  return n === '/' ? path : `${path}?next=${encodeURIComponent(n)}`;
}
