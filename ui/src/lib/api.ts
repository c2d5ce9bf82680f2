import { errorText, isRetryable, readAnswer } from './errors';
import type { ChatListPage, PushSubscriptionBody } from './types';

/** An answer with a non-2xx status (or status 0 for a network failure). */
export class ApiError extends Error {
  constructor(
    public status: number,
    public body: unknown,
    /** the body was not the server's JSON (a proxy's HTML page, empty, broken) */
    public unexpected = false,
  ) {
    super(errorText(status, body, unexpected));
    this.name = 'ApiError';
  }

  /** Whether the same request may work if tried again (network, timeout, rate limit, 5xx). */
  get retryable(): boolean {
    return this.unexpected || isRetryable(this.status);
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called on every 401 (except when the request opts out). */
export function setUnauthorizedHandler(fn: (() => void) | null) {
  unauthorizedHandler = fn;
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** do not run the global 401 handler (used by the first /current/ probe) */
  quiet401?: boolean;
}

async function parseBody(res: Response): Promise<{ body: unknown; unexpected: boolean }> {
  if (res.status === 204) return { body: null, unexpected: false };
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    if (isAbort(e)) throw e;
    return { body: null, unexpected: true };
  }
  if (res.ok) {
    // A success keeps its old reading: JSON, or the text itself.
    if (!text) return { body: null, unexpected: false };
    try {
      return { body: JSON.parse(text), unexpected: false };
    } catch {
      return { body: text, unexpected: false };
    }
  }
  return readAnswer(res.headers.get('Content-Type'), text);
}

/**
 * Fetch a MealBuddy API route. Always same-origin with the web-client header,
 * so the HttpOnly session cookie is the only credential. No token is ever stored.
 */
export async function api<T = unknown>(path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    'X-MealBuddy-Client': 'web',
    Accept: 'application/json',
  };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  const answer = await parseBody(res);
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler();
    throw new ApiError(res.status, answer.body, answer.unexpected);
  }
  return answer.body as T;
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function errorStatus(e: unknown): number {
  return e instanceof ApiError ? e.status : -1;
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return '알 수 없는 오류가 생겼어요. 잠시 후 다시 시도해 주세요.';
}

/**
 * A URL path built from a template, every interpolated part percent-encoded:
 * path`/api/chat/${id}/user/`. A part can never add a segment, a query or a
 * fragment; an empty part or a dot segment ("." and "..", which browsers
 * resolve even when encoded as %2e) throws, since no id looks like that.
 */
export function path(strings: TemplateStringsArray, ...parts: (string | number)[]): string {
  let out = strings[0];
  parts.forEach((part, i) => {
    const s = String(part);
    if (s === '' || s === '.' || s === '..') throw new Error(`path: bad segment ${JSON.stringify(s)}`);
    out += encodeURIComponent(s) + strings[i + 1];
  });
  return out;
}

export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// My chats (GET /api/chat/, read markers, mute) and Web Push (issue 13).

export const chatsApi = {
  list: (cursor: string | null, signal?: AbortSignal) => api<ChatListPage>(`/api/chat/${qs({ cursor })}`, { signal }),
  read: (roomId: number | string, messageId: number) =>
    api(path`/api/chat/${roomId}/read/`, { method: 'POST', body: { message_id: messageId } }),
  mute: (roomId: number | string, muted: boolean) => api(path`/api/chat/${roomId}/mute/`, { method: 'POST', body: { muted } }),
};

export const pushApi = {
  key: () => api<{ public_key: string }>('/api/push/key/'),
  subscribe: (sub: PushSubscriptionBody) => api('/api/push/subscriptions/', { method: 'POST', body: sub }),
  unsubscribe: (endpoint: string) =>
    api('/api/push/subscriptions/', { method: 'DELETE', body: { endpoint }, quiet401: true }),
};
