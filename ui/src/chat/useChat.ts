import { startTransition, useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError, chatsApi, errorStatus, path, qs } from '../lib/api';
import type { ChatMessage, ChatRoom, Order, UserRef } from '../lib/types';
import { orderApi } from '../order/orderApi';
import { earlyOr, takeEarly } from '../lib/early';
import { readMarker, type ReadMarker } from './readMarker';
import {
  ANSWER_TIMEOUT_MS,
  chatReducer,
  closeInfo,
  CONNECT_TIMEOUT_MS,
  httpNotice,
  initialChatState,
  newClientId,
  parseEvent,
  PING_EVERY_MS,
  reconnectDelay,
} from './state';

const PING_FRAME = JSON.stringify({ type: 'ping' });

const pageVisible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';
const browserOnline = () => typeof navigator === 'undefined' || navigator.onLine !== false;

export function socketUrl(roomId: string): string {
  const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${window.location.host}` + path`/ws/chat/${roomId}/`;
}

/**
 * Room state + live socket. The cookie is the only credential (same origin).
 * Reconnects with backoff; before each reconnect it asks the REST route for
 * missed messages, which also tells whether we may still be in the room.
 * Each message is sent with a client_id: its echo and errors name it, and
 * the resend after a reconnect reuses it.
 *
 * A socket can die silently (a phone's network changes, a proxy swallows
 * frames): it counts as open only once the server answered on it, and a
 * heartbeat ({"type":"ping"} → {"type":"pong"}, every 20 s while visible and
 * at once on coming back online or visible) or a message's echo that does
 * not arrive within 5 s closes it, shows 연결 끊김 and reconnects; the
 * message becomes 전송 실패 with 다시 보내기.
 */
export function useChat(roomId: string, myId: number) {
  const [state, dispatch] = useReducer(chatReducer, myId, initialChatState);
  const [room, setRoom] = useState<ChatRoom | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [members, setMembers] = useState<UserRef[] | null>(null);
  const [membersError, setMembersError] = useState('');
  const [olderBusy, setOlderBusy] = useState(false);
  const [olderError, setOlderError] = useState('');

  const stateRef = useRef(state);
  stateRef.current = state;
  const wsRef = useRef<WebSocket | null>(null);
  /** when each written message went out (its echo is due within ANSWER_TIMEOUT_MS) */
  const sentAt = useRef(new Map<string, number>());
  /** 지금 다시 연결: drop the socket (if any) and open a new one now */
  const reconnectRef = useRef<() => void>(() => {});
  const base = path`/api/chat/${roomId}/`;

  const loadMembers = useCallback(async () => {
    try {
      const r = await api<{ user: UserRef }[]>(`${base}user/`);
      const list = Array.isArray(r) ? r.map((x) => x.user).filter(Boolean) : [];
      startTransition(() => {
        setMembers(list);
        setMembersError('');
        setRoom((old) => (old ? { ...old, join_number: list.length } : old));
      });
    } catch (e) {
      setMembersError(e instanceof ApiError ? e.message : '참여자 목록을 불러오지 못했어요.');
    }
  }, [base]);

  // The group order, when the post has one: loaded with the room and again
  // after a reconnect (frames may have been missed), then kept by order.updated.
  // A REST answer is applied only when no order.updated frame arrived while
  // it was on its way: such a frame may be newer than the answer.
  const frames = useRef(0);
  const orderAct = useCallback(async (fn: () => Promise<Order>) => {
    const seen = frames.current;
    const order = await fn();
    if (frames.current === seen) dispatch({ type: 'order', order });
    return order;
  }, []);
  const loadOrder = useCallback(async () => {
    try {
      await orderAct(() => orderApi.get(roomId));
    } catch {
      /* the room's own load reports access problems; the summary waits for a frame */
    }
  }, [roomId, orderAct]);
  /** The first load: main.tsx's early answer when there is one, else a request (lib/early.ts). */
  const firstOrder = useCallback(
    async (early: Promise<unknown> | null) => {
      if (!early) return loadOrder();
      try {
        await orderAct(() => orderApi.of(early).catch(() => orderApi.get(roomId)));
      } catch {
        /* as in loadOrder */
      }
    },
    [roomId, orderAct, loadOrder],
  );

  useEffect(() => {
    let cancelled = false;
    let stopped = false;
    let attempt = 0;
    let timer: number | undefined;

    const lastId = () => {
      const m = stateRef.current.messages;
      return m.length ? m[m.length - 1].id : 0;
    };

    async function fetchMissed(): Promise<void> {
      let collected: ChatMessage[] = [];
      let after = lastId();
      for (let i = 0; i < 10; i++) {
        const r = await api<ChatRoom>(`${base}${qs({ after: after || null })}`);
        if (cancelled) return;
        setRoom((old) => (old ? { ...old, ...r, messages: [] } : old));
        if (i === 0 && r.order_state) loadOrder();
        const msgs = Array.isArray(r.messages) ? r.messages : [];
        collected = collected.concat(msgs);
        if (!after || !r.has_more || msgs.length === 0) break;
        after = Math.max(...msgs.map((m) => m.id));
      }
      dispatch({ type: 'missed', messages: collected });
    }

    function stopWith(status: number) {
      const n = httpNotice(status);
      if (n) {
        stopped = true;
        dispatch({ type: 'stop', notice: n });
      }
    }

    // The heartbeat of the current socket: when it opened, when the
    // unanswered ping went out (0: none), when the last ping went out.
    let openedAt = 0;
    let pingOut = 0;
    let lastPing = 0;

    function ping(ws: WebSocket) {
      if (ws.readyState !== WebSocket.OPEN || pingOut) return;
      try {
        ws.send(PING_FRAME);
      } catch {
        return; // the close event follows
      }
      pingOut = lastPing = Date.now();
    }

    /** Give up on the current socket without waiting for its close (a dead one may never close). */
    function drop() {
      const ws = wsRef.current;
      wsRef.current = null;
      pingOut = 0;
      if (!ws) return;
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close(4000);
      } catch {
        /* already closing */
      }
    }

    /** The socket went silent or the browser went offline: 연결 끊김, and a new one when online. */
    function dead() {
      if (cancelled || stopped) return;
      drop();
      dispatch({ type: 'down' });
      window.clearTimeout(timer);
      if (browserOnline()) schedule();
    }

    function connect() {
      if (cancelled || stopped) return;
      let ws: WebSocket;
      try {
        ws = new WebSocket(socketUrl(roomId));
      } catch {
        schedule();
        return;
      }
      wsRef.current = ws;
      openedAt = Date.now();
      pingOut = 0;
      let answered = false;
      ws.onopen = () => {
        if (cancelled) return;
        // Open only once the server answers: a socket whose frames are
        // swallowed must not say 연결됨 (nor take the outbox).
        ping(ws);
        fetchMissed().catch((e) => stopWith(errorStatus(e)));
      };
      ws.onmessage = (ev) => {
        if (cancelled || wsRef.current !== ws) return;
        pingOut = 0; // any frame shows the socket is alive
        if (!answered) {
          answered = true;
          attempt = 0;
          dispatch({ type: 'open' }); // the outbox effect below (re)sends what is pending
        }
        const e = parseEvent(ev.data);
        if (!e) return;
        if (e.type === 'order.updated') frames.current++;
        dispatch({ type: 'event', event: e });
        if (e.type === 'chat.message' && e.client_id) sentAt.current.delete(e.client_id);
        if (e.type === 'chat.user.join' || e.type === 'chat.user.leave') loadMembers();
      };
      ws.onclose = (ev) => {
        if (wsRef.current !== ws) return;
        wsRef.current = null;
        if (cancelled || stopped) return;
        dispatch({ type: 'closed', code: ev.code });
        if (closeInfo(ev.code).reconnect) schedule();
        else stopped = true;
      };
    }

    function schedule() {
      if (cancelled || stopped) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(probeThenConnect, reconnectDelay(attempt++, pageVisible(), browserOnline()));
    }

    async function probeThenConnect() {
      if (cancelled || stopped || wsRef.current) return;
      try {
        await fetchMissed();
      } catch (e) {
        const s = errorStatus(e);
        if (s === 401 || s === 403 || s === 404) {
          stopWith(s);
          return;
        }
      }
      if (!wsRef.current) connect();
    }

    /** Back online or visible again: reconnect at once, or check the socket with a ping now. */
    function wake() {
      if (stopped || cancelled) return;
      const ws = wsRef.current;
      if (ws) {
        if (ws.readyState === WebSocket.OPEN) ping(ws);
        return;
      }
      window.clearTimeout(timer);
      probeThenConnect();
    }

    function onVisibility() {
      if (pageVisible()) wake();
    }

    // Once a second: the heartbeat's timeouts, the echoes' timeouts and the
    // next ping. Cheap, and browsers slow it down in hidden tabs.
    const tick = window.setInterval(() => {
      if (cancelled || stopped) return;
      const now = Date.now();
      const ws = wsRef.current;
      const overdue = stateRef.current.pending.filter(
        (p) => p.status === 'sent' && now - (sentAt.current.get(p.id) ?? now) > ANSWER_TIMEOUT_MS,
      );
      if (overdue.length) {
        for (const p of overdue) sentAt.current.delete(p.id);
        dispatch({ type: 'timeout', ids: overdue.map((p) => p.id) });
      }
      if (!ws) return;
      if (
        overdue.length ||
        (pingOut && now - pingOut > ANSWER_TIMEOUT_MS) ||
        (ws.readyState === WebSocket.CONNECTING && now - openedAt > CONNECT_TIMEOUT_MS)
      ) {
        dead();
        return;
      }
      if (ws.readyState === WebSocket.OPEN && pageVisible() && now - lastPing >= PING_EVERY_MS) ping(ws);
    }, 1000);

    reconnectRef.current = () => {
      if (cancelled || stopped) return;
      drop();
      attempt = 0;
      window.clearTimeout(timer);
      probeThenConnect();
    };

    (async () => {
      try {
        // Opened on this room: main.tsx asked for the room and its order
        // beside the sign-in check; a room without an order drops the
        // order's answer (404) unread.
        const earlyOrder = takeEarly(`${base}order/`);
        const r = await earlyOr(base, () => api<ChatRoom>(base));
        if (cancelled) return;
        // The order panel sits above the log: shown with the room, it does
        // not push the log down when it arrives (Lighthouse: CLS 0.2 on a
        // room with an order when it came later).
        if (r.order_state) await firstOrder(earlyOrder);
        if (cancelled) return;
        // A transition: the room's first render comes in slices instead of
        // one long task. Socket events that arrive meanwhile are applied
        // first and the room renders after them (the page shows 불러오는 중
        // until it is loaded, connection state included).
        startTransition(() => {
          setRoom(r);
          dispatch({ type: 'loaded', messages: Array.isArray(r.messages) ? r.messages : [], hasMore: !!r.has_more });
        });
        loadMembers();
        connect();
      } catch (e) {
        if (cancelled) return;
        setLoadError(e instanceof ApiError ? e : new ApiError(0, null));
      }
    })();

    window.addEventListener('online', wake);
    window.addEventListener('offline', dead);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      window.clearInterval(tick);
      window.removeEventListener('online', wake);
      window.removeEventListener('offline', dead);
      document.removeEventListener('visibilitychange', onVisibility);
      reconnectRef.current = () => {};
      const ws = wsRef.current;
      wsRef.current = null;
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    };
  }, [roomId, base, loadMembers, loadOrder, firstOrder]);

  // The outbox: whenever a socket is open, write every queued message. A
  // message written twice (e.g. an effect run again) is stored once: the
  // server keys it by its client_id.
  useEffect(() => {
    const ws = wsRef.current;
    if (state.conn !== 'open' || !ws || ws.readyState !== WebSocket.OPEN) return;
    const queued = state.pending.filter((p) => p.status === 'queued');
    if (!queued.length) return;
    const now = Date.now();
    for (const p of queued) {
      ws.send(JSON.stringify({ message: p.message, client_id: p.id }));
      sentAt.current.set(p.id, now);
    }
    dispatch({ type: 'sent', ids: queued.map((p) => p.id) });
  }, [state.conn, state.pending]);

  // My read marker: a frame on the open socket, else the REST route, at
  // readMarker's pace; one still waiting goes out when the room closes. The
  // server only moves it forward, so a late or repeated one is harmless.
  const reads = useRef<ReadMarker | null>(null);
  useEffect(() => {
    const marker = readMarker((messageId) => {
      const ws = wsRef.current;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'read', message_id: messageId }));
      else chatsApi.read(roomId, messageId).catch(() => {});
    });
    reads.current = marker;
    return () => {
      reads.current = null;
      marker.flush();
    };
  }, [roomId]);
  const markRead = useCallback((messageId: number) => reads.current?.mark(messageId), []);

  const send = useCallback((text: string) => dispatch({ type: 'send', id: newClientId(), message: text.trim() }), []);
  const retry = useCallback((id: string) => dispatch({ type: 'retry', id }), []);
  const discard = useCallback((id: string) => dispatch({ type: 'discard', id }), []);
  const clearError = useCallback(() => dispatch({ type: 'clearError' }), []);
  const reconnectNow = useCallback(() => reconnectRef.current(), []);

  const loadOlder = useCallback(async () => {
    const oldest = stateRef.current.messages[0];
    if (!oldest) return;
    setOlderBusy(true);
    setOlderError('');
    try {
      const r = await api<ChatRoom>(`${base}${qs({ before: oldest.id })}`);
      dispatch({ type: 'older', messages: Array.isArray(r.messages) ? r.messages : [], hasMore: !!r.has_more });
    } catch (e) {
      setOlderError(e instanceof ApiError ? e.message : '이전 메시지를 불러오지 못했어요.');
    } finally {
      setOlderBusy(false);
    }
  }, [base]);

  return {
    state,
    room,
    loadError,
    members,
    membersError,
    loadMembers,
    orderAct,
    send,
    retry,
    discard,
    clearError,
    reconnectNow,
    loadOlder,
    markRead,
    olderBusy,
    olderError,
  };
}
