import type { ChatMessage } from '../lib/types';

export type ConnState = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export const CONN_LABEL: Record<ConnState, string> = {
  connecting: '연결 중',
  open: '연결됨',
  reconnecting: '재연결 중…',
  stopped: '연결 끊김',
};

export type NoticeAction = 'board' | 'login' | 'post' | 'none';

export interface Notice {
  code: number;
  text: string;
  action: NoticeAction;
}

export interface CloseInfo {
  reconnect: boolean;
  notice: Notice | null;
}

/** What a WebSocket close code means for the client. */
export function closeInfo(code: number): CloseInfo {
  switch (code) {
    case 4040:
      return { reconnect: false, notice: { code, text: '채팅방이 삭제되었어요', action: 'board' } };
    case 4003:
      return { reconnect: false, notice: { code, text: '방장에 의해 강퇴되었어요', action: 'board' } };
    case 4001:
      return { reconnect: false, notice: { code, text: '채팅방에서 나갔어요', action: 'post' } };
    case 4401:
      return {
        reconnect: false,
        notice: { code, text: '로그인이 만료되었어요. 다시 로그인해 주세요', action: 'login' },
      };
    case 1008:
      return {
        reconnect: false,
        notice: { code, text: '메시지를 너무 많이 보내 연결이 끊겼어요', action: 'none' },
      };
    default:
      // 1001 server restarting, 1013 too slow, 1006 network drop, 1009, …
      return { reconnect: true, notice: null };
  }
}

/** Notices for REST answers while (re)connecting. */
export function httpNotice(status: number): Notice | null {
  if (status === 403) return { code: 403, text: '채팅방에 접근할 권한이 없어요', action: 'board' };
  if (status === 404) return { code: 404, text: '채팅방이 삭제되었어요', action: 'board' };
  if (status === 401)
    return { code: 401, text: '로그인이 만료되었어요. 다시 로그인해 주세요', action: 'login' };
  return null;
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30000;

/**
 * Delay before reconnect attempt number `attempt` (0-based): 1s, 2s, 4s, …
 * capped at 30s, with ±20% jitter (still capped at 30s). rand ∈ [0,1).
 */
export function backoffDelay(attempt: number, rand: number = Math.random()): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
  const jittered = exp * (0.8 + 0.4 * Math.min(Math.max(rand, 0), 1));
  return Math.round(Math.min(BACKOFF_MAX_MS, jittered));
}

export type PendingStatus = 'queued' | 'sent' | 'failed';

export interface Pending {
  tempId: string;
  message: string;
  status: PendingStatus;
  /** socket generation the frame was written to (0 = not yet) */
  gen: number;
  error?: string;
}

export interface ChatState {
  myId: number;
  messages: ChatMessage[];
  pending: Pending[];
  hasMore: boolean;
  loaded: boolean;
  conn: ConnState;
  /** incremented on every successful socket open */
  gen: number;
  /** consecutive failed reconnects (drives the backoff) */
  attempt: number;
  notice: Notice | null;
  /** last chat.error, shown inline */
  error: string | null;
}

export type WsEvent =
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.user.join' | 'chat.user.leave'; user_id: number; message?: ChatMessage }
  | { type: 'chat.error'; error: string };

export type ChatAction =
  | { type: 'loaded'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'older'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'missed'; messages: ChatMessage[]; afterOpen: boolean }
  | { type: 'event'; event: WsEvent }
  | { type: 'send'; tempId: string; message: string }
  | { type: 'sent'; tempIds: string[] }
  | { type: 'retry'; tempId: string }
  | { type: 'discard'; tempId: string }
  | { type: 'open' }
  | { type: 'closed'; code: number }
  | { type: 'stop'; notice: Notice }
  | { type: 'clearError' };

export function initialChatState(myId: number): ChatState {
  return {
    myId,
    messages: [],
    pending: [],
    hasMore: false,
    loaded: false,
    conn: 'connecting',
    gen: 0,
    attempt: 0,
    notice: null,
    error: null,
  };
}

/** Merge by id (later copy wins), sorted ascending by id. */
export function mergeMessages(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return existing;
  const byId = new Map<number, ChatMessage>();
  for (const m of existing) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    if (!m || typeof m.id !== 'number') continue;
    if (!byId.has(m.id)) changed = true;
    byId.set(m.id, m);
  }
  if (!changed) return existing;
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * Remove pending entries confirmed by my own messages, matching by content in
 * order: each confirmed message of mine removes the oldest sent pending entry
 * with the same text. Returns the new pending list.
 */
export function reconcile(pending: Pending[], confirmed: ChatMessage[], myId: number): Pending[] {
  let out = pending;
  for (const m of confirmed) {
    if (!m.user || m.user.id !== myId) continue;
    const text = m.message.trim();
    let idx = out.findIndex((p) => p.status === 'sent' && p.message === text);
    if (idx < 0) idx = out.findIndex((p) => p.status !== 'queued' && p.message === text);
    if (idx >= 0) out = [...out.slice(0, idx), ...out.slice(idx + 1)];
  }
  return out;
}

function newOnly(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const seen = new Set(existing.map((m) => m.id));
  return incoming.filter((m) => m && !seen.has(m.id));
}

export function chatReducer(s: ChatState, a: ChatAction): ChatState {
  switch (a.type) {
    case 'loaded': {
      const messages = mergeMessages(s.messages, a.messages);
      return { ...s, loaded: true, messages, hasMore: a.hasMore };
    }
    case 'older':
      return { ...s, messages: mergeMessages(s.messages, a.messages), hasMore: a.hasMore };
    case 'missed': {
      const fresh = newOnly(s.messages, a.messages);
      let pending = reconcile(s.pending, fresh, s.myId);
      if (a.afterOpen) {
        // Frames written to an earlier socket whose message is neither echoed
        // nor in the history never reached the server.
        pending = pending.map((p) =>
          p.status === 'sent' && p.gen < s.gen
            ? { ...p, status: 'failed', error: '전송하지 못했어요' }
            : p,
        );
      }
      return { ...s, messages: mergeMessages(s.messages, a.messages), pending };
    }
    case 'event': {
      const ev = a.event;
      if (ev.type === 'chat.error') {
        // The server answers frames in order: the error belongs to the
        // oldest frame still waiting for its echo.
        const idx = s.pending.findIndex((p) => p.status === 'sent');
        const pending =
          idx < 0
            ? s.pending
            : s.pending.map((p, i) =>
                i === idx ? { ...p, status: 'failed' as const, error: ev.error } : p,
              );
        return { ...s, pending, error: ev.error };
      }
      const msg = ev.message;
      if (!msg || typeof msg.id !== 'number') return s;
      const fresh = newOnly(s.messages, [msg]);
      return {
        ...s,
        messages: mergeMessages(s.messages, [msg]),
        pending: reconcile(s.pending, fresh, s.myId),
      };
    }
    case 'send':
      return {
        ...s,
        error: null,
        pending: [...s.pending, { tempId: a.tempId, message: a.message.trim(), status: 'queued', gen: 0 }],
      };
    case 'sent': {
      const ids = new Set(a.tempIds);
      return {
        ...s,
        pending: s.pending.map((p) => (ids.has(p.tempId) ? { ...p, status: 'sent', gen: s.gen } : p)),
      };
    }
    case 'retry':
      return {
        ...s,
        pending: s.pending.map((p) =>
          p.tempId === a.tempId ? { ...p, status: 'queued', gen: 0, error: undefined } : p,
        ),
      };
    case 'discard':
      return { ...s, pending: s.pending.filter((p) => p.tempId !== a.tempId) };
    case 'open':
      return { ...s, conn: 'open', gen: s.gen + 1, attempt: 0 };
    case 'closed': {
      if (s.conn === 'stopped') return s;
      const info = closeInfo(a.code);
      if (!info.reconnect) return { ...s, conn: 'stopped', notice: info.notice };
      return { ...s, conn: 'reconnecting', attempt: s.attempt + 1 };
    }
    case 'stop':
      return { ...s, conn: 'stopped', notice: a.notice };
    case 'clearError':
      return { ...s, error: null };
  }
}

/** Parse one WebSocket text frame; null when it is not an event we know. */
export function parseEvent(data: unknown): WsEvent | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const e = v as Record<string, unknown>;
  switch (e.type) {
    case 'chat.message':
      return e.message && typeof e.message === 'object' ? (e as unknown as WsEvent) : null;
    case 'chat.user.join':
    case 'chat.user.leave':
      return e as unknown as WsEvent;
    case 'chat.error':
      return { type: 'chat.error', error: typeof e.error === 'string' ? e.error : '메시지를 보내지 못했어요' };
    default:
      return null;
  }
}
