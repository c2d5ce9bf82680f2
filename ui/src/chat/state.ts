import type { ChatMessage, Order } from '../lib/types';
import { OrderEvent, parseOrderEvent } from '../order/orderState';

/**
 * connecting: the first socket is opening; open: the server answered on it;
 * reconnecting: it closed and a new one is on its way; down: it went silent
 * (no pong or no echo in time) or the browser is offline, and a new one is
 * tried (the room shows 지금 다시 연결); stopped: for good (see notice).
 */
export type ConnState = 'connecting' | 'open' | 'reconnecting' | 'down' | 'stopped';

export const CONN_LABEL: Record<ConnState, string> = {
  connecting: '연결 중',
  open: '연결됨',
  reconnecting: '재연결 중…',
  down: '연결 끊김',
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
      return { reconnect: false, notice: { code, text: '방장이 채팅방에서 내보냈어요', action: 'board' } };
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

/** The client's heartbeat (useChat): a ping every PING_EVERY_MS while the page is visible. */
export const PING_EVERY_MS = 20_000;
/** No pong within this long after a ping (or no echo of a sent message) means the socket is dead. */
export const ANSWER_TIMEOUT_MS = 5_000;
/** A socket that has not opened within this long is given up. */
export const CONNECT_TIMEOUT_MS = 8_000;
/** While the page is visible and online, reconnects wait at most this long. */
export const VISIBLE_RETRY_MAX_MS = 1_000;

/**
 * The wait before reconnect attempt number `attempt`. While the page is
 * visible and the browser online, someone is looking at the room: half a
 * second to a second, whatever the attempt, so the room is back within a
 * second of the server. Hidden (or offline), the polite exponential
 * backoffDelay.
 */
export function reconnectDelay(attempt: number, visible: boolean, online: boolean, rand: number = Math.random()): number {
  if (visible && online) return Math.round(VISIBLE_RETRY_MAX_MS * (0.5 + 0.5 * Math.min(Math.max(rand, 0), 1)));
  return backoffDelay(attempt, rand);
}

export type PendingStatus = 'queued' | 'sent' | 'failed';

/**
 * A message of mine the server has not acknowledged yet. `id` is the
 * client_id sent with it: the server's echo and any chat.error about it
 * carry the same id, and a resend (after a reconnect) reuses it, so the
 * server stores it at most once.
 */
export interface Pending {
  id: string;
  message: string;
  /** queued: to be written once a socket is open; sent: written, waiting for the echo */
  status: PendingStatus;
  error?: string;
  /** the newest stored message id when it was typed: a stored copy of it must be newer */
  after?: number;
}

/**
 * Drops the pending messages that history shows were stored after all: a
 * send whose echo was lost (a dead socket) may have been stored, and the
 * catch-up GET brings it without its client_id. Each stored message of mine
 * newer than a pending one's `after`, with the same text, accounts for one
 * written (sent or failed) pending message, oldest first.
 */
export function reconcilePending(pending: Pending[], stored: ChatMessage[], myId: number): Pending[] {
  if (!pending.length || !stored.length) return pending;
  const mine = stored.filter((m) => m.user && m.user.id === myId);
  if (!mine.length) return pending;
  const used = new Set<number>();
  const out = pending.filter((p) => {
    if (p.status === 'queued') return true; // never written (or written again right now: its echo will come)
    const m = mine.find((x) => !used.has(x.id) && x.id > (p.after ?? 0) && x.message === p.message);
    if (!m) return true;
    used.add(m.id);
    return false;
  });
  return out.length === pending.length ? pending : out;
}

export interface ChatState {
  myId: number;
  messages: ChatMessage[];
  pending: Pending[];
  hasMore: boolean;
  loaded: boolean;
  conn: ConnState;
  /** consecutive failed reconnects (drives the backoff) */
  attempt: number;
  notice: Notice | null;
  /** last chat.error, shown inline */
  error: string | null;
  /** the room's group order (null: none, or not loaded yet); replaced whole by order.updated */
  order: Order | null;
}

export type WsEvent =
  | { type: 'chat.message'; message: ChatMessage; client_id?: string }
  | { type: 'chat.user.join' | 'chat.user.leave'; user_id: number; message?: ChatMessage }
  | { type: 'chat.error'; error: string; client_id?: string }
  | OrderEvent;

export type ChatAction =
  | { type: 'loaded'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'older'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'missed'; messages: ChatMessage[] }
  | { type: 'event'; event: WsEvent }
  | { type: 'send'; id: string; message: string }
  | { type: 'sent'; ids: string[] }
  | { type: 'retry'; id: string }
  | { type: 'discard'; id: string }
  | { type: 'open' }
  | { type: 'closed'; code: number }
  | { type: 'down' }
  | { type: 'timeout'; ids: string[] }
  | { type: 'stop'; notice: Notice }
  | { type: 'clearError' }
  | { type: 'order'; order: Order };

export function initialChatState(myId: number): ChatState {
  return {
    myId,
    messages: [],
    pending: [],
    hasMore: false,
    loaded: false,
    conn: 'connecting',
    attempt: 0,
    notice: null,
    error: null,
    order: null,
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
    if (byId.get(m.id)?.message !== m.message) changed = true; // new, or hidden by staff
    byId.set(m.id, m);
  }
  if (!changed) return existing;
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** A client_id for a message: 24 hex characters from the browser's CSPRNG. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function chatReducer(s: ChatState, a: ChatAction): ChatState {
  switch (a.type) {
    case 'loaded': {
      const messages = mergeMessages(s.messages, a.messages);
      return { ...s, loaded: true, messages, hasMore: a.hasMore };
    }
    case 'older':
      return { ...s, messages: mergeMessages(s.messages, a.messages), hasMore: a.hasMore };
    case 'missed':
      return { ...s, messages: mergeMessages(s.messages, a.messages), pending: reconcilePending(s.pending, a.messages, s.myId) };
    case 'event': {
      const ev = a.event;
      if (ev.type === 'order.updated') return { ...s, order: ev.order };
      if (ev.type === 'chat.error') {
        const pending = ev.client_id
          ? s.pending.map((p) => (p.id === ev.client_id ? { ...p, status: 'failed' as const, error: ev.error } : p))
          : s.pending;
        return { ...s, pending, error: ev.error };
      }
      const msg = ev.message;
      if (!msg || typeof msg.id !== 'number') return s;
      const id = ev.type === 'chat.message' ? ev.client_id : undefined;
      return {
        ...s,
        messages: mergeMessages(s.messages, [msg]),
        pending: id ? s.pending.filter((p) => p.id !== id) : s.pending,
      };
    }
    case 'send':
      return {
        ...s,
        error: null,
        pending: [
          ...s.pending,
          { id: a.id, message: a.message.trim(), status: 'queued', after: s.messages.length ? s.messages[s.messages.length - 1].id : 0 },
        ],
      };
    case 'sent': {
      const ids = new Set(a.ids);
      return {
        ...s,
        pending: s.pending.map((p) => (ids.has(p.id) && p.status === 'queued' ? { ...p, status: 'sent' } : p)),
      };
    }
    case 'retry':
      return {
        ...s,
        pending: s.pending.map((p) => (p.id === a.id ? { ...p, status: 'queued', error: undefined } : p)),
      };
    case 'discard':
      return { ...s, pending: s.pending.filter((p) => p.id !== a.id) };
    case 'open':
      // What an earlier socket wrote without an answer is sent again with
      // the same id: the server stores it at most once.
      return {
        ...s,
        conn: 'open',
        attempt: 0,
        pending: s.pending.map((p) => (p.status === 'sent' ? { ...p, status: 'queued' } : p)),
      };
    case 'closed': {
      if (s.conn === 'stopped') return s;
      const info = closeInfo(a.code);
      if (!info.reconnect) return { ...s, conn: 'stopped', notice: info.notice };
      // After a silent death, failed reopenings keep saying 연결 끊김.
      return { ...s, conn: s.conn === 'down' ? 'down' : 'reconnecting', attempt: s.attempt + 1 };
    }
    case 'down':
      return s.conn === 'stopped' ? s : { ...s, conn: 'down' };
    case 'timeout': {
      // Written, never echoed: 전송 실패 with 다시 보내기, which resends
      // with the same client_id (a late store is not duplicated).
      const ids = new Set(a.ids);
      return {
        ...s,
        pending: s.pending.map((p) => (ids.has(p.id) && p.status === 'sent' ? { ...p, status: 'failed', error: '전송 실패' } : p)),
      };
    }
    case 'stop':
      return { ...s, conn: 'stopped', notice: a.notice };
    case 'clearError':
      return { ...s, error: null };
    case 'order':
      return { ...s, order: a.order };
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
      if (!e.message || typeof e.message !== 'object') return null;
      return {
        type: 'chat.message',
        message: e.message as ChatMessage,
        ...(typeof e.client_id === 'string' ? { client_id: e.client_id } : {}),
      };
    case 'chat.message.hidden': // staff hid it: the same id with the placeholder text
      if (!e.message || typeof e.message !== 'object') return null;
      return { type: 'chat.message', message: e.message as ChatMessage };
    case 'chat.user.join':
    case 'chat.user.leave':
      return e as unknown as WsEvent;
    case 'chat.error':
      return {
        type: 'chat.error',
        error: typeof e.error === 'string' ? e.error : '메시지를 보내지 못했어요',
        ...(typeof e.client_id === 'string' ? { client_id: e.client_id } : {}),
      };
    case 'order.updated':
      return parseOrderEvent(e);
    default:
      return null;
  }
}
