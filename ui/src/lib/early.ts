// Requests a page needs first, begun by main.tsx as soon as the main bundle
// runs: before React's first render, and side by side instead of one after
// another (the sign-in check, then the room, then its order made a chain of
// three round trips before a room could show). A screen takes the answer
// once; whoever comes later, or later than MAX_AGE_MS, asks the server
// itself. The requests opt out of the 401 handler: a caller that gets a
// failure from here asks again with its own request (takeEarly's users do),
// so errors are handled exactly as without this module.
import { api } from './api';
import { matchRoute } from './router';

/** An early answer older than this is not used (the screen fetches a fresh one). */
export const MAX_AGE_MS = 10_000;

const early = new Map<string, { answer: Promise<unknown>; at: number }>();

/** Start GET path now; takeEarly(path) hands its answer to the first screen that wants it. */
export function startEarly(path: string, now = Date.now()) {
  const answer = api(path, { quiet401: true });
  answer.catch(() => {}); // not taken, or taken later: no unhandled rejection
  early.set(path, { answer, at: now });
}

/** The early answer for path, once; null when there is none or it is too old. */
export function takeEarly<T>(path: string, now = Date.now()): Promise<T> | null {
  const e = early.get(path);
  if (!e) return null;
  early.delete(path);
  return now - e.at <= MAX_AGE_MS ? (e.answer as Promise<T>) : null;
}

/**
 * The early answer for path if there is one and it succeeded, else a request
 * of its own (with the usual 401 handling and errors).
 */
export function earlyOr<T>(path: string, fetchIt: () => Promise<T>): Promise<T> {
  const e = takeEarly<T>(path);
  return e ? e.catch(() => fetchIt()) : fetchIt();
}

/**
 * What the page at `pathname` reads first: the sign-in check everywhere; in
 * a room also the room and its order (a room without an order answers the
 * order request with 404, which the room then ignores).
 */
export function earlyPaths(pathname: string): string[] {
  const paths = ['/api/user/current/'];
  const room = matchRoute('/chat/:id/', pathname);
  if (room) paths.push(`/api/chat/${room.id}/`, `/api/chat/${room.id}/order/`);
  return paths;
}
