import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError, chatsApi, errorStatus, path, qs } from '../lib/api';
import type { ChatMessage, ChatRoom, Order, UserRef } from '../lib/types';
import { orderApi } from '../order/orderApi';
import { backoffDelay, chatReducer, closeInfo, httpNotice, initialChatState, newClientId, parseEvent } from './state';

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
  const base = path`/api/chat/${roomId}/`;

  const loadMembers = useCallback(async () => {
    try {
      const r = await api<{ user: UserRef }[]>(`${base}user/`);
      const list = Array.isArray(r) ? r.map((x) => x.user).filter(Boolean) : [];
      setMembers(list);
      setMembersError('');
      setRoom((old) => (old ? { ...old, join_number: list.length } : old));
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
      ws.onopen = () => {
        if (cancelled) return;
        attempt = 0;
        dispatch({ type: 'open' }); // the outbox effect below (re)sends what is pending
        fetchMissed().catch((e) => stopWith(errorStatus(e)));
      };
      ws.onmessage = (ev) => {
        if (cancelled) return;
        const e = parseEvent(ev.data);
        if (!e) return;
        if (e.type === 'order.updated') frames.current++;
        dispatch({ type: 'event', event: e });
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
      timer = window.setTimeout(probeThenConnect, backoffDelay(attempt++));
    }

    async function probeThenConnect() {
      if (cancelled || stopped) return;
      try {
        await fetchMissed();
      } catch (e) {
        const s = errorStatus(e);
        if (s === 401 || s === 403 || s === 404) {
          stopWith(s);
          return;
        }
      }
      connect();
    }

    function onOnline() {
      if (!wsRef.current && !stopped && !cancelled) {
        window.clearTimeout(timer);
        probeThenConnect();
      }
    }

    (async () => {
      try {
        const r = await api<ChatRoom>(base);
        if (cancelled) return;
        setRoom(r);
        dispatch({ type: 'loaded', messages: Array.isArray(r.messages) ? r.messages : [], hasMore: !!r.has_more });
        loadMembers();
        if (r.order_state) loadOrder();
        connect();
      } catch (e) {
        if (cancelled) return;
        setLoadError(e instanceof ApiError ? e : new ApiError(0, null));
      }
    })();

    window.addEventListener('online', onOnline);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      const ws = wsRef.current;
      wsRef.current = null;
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    };
  }, [roomId, base, loadMembers, loadOrder]);

  // The outbox: whenever a socket is open, write every queued message. A
  // message written twice (e.g. an effect run again) is stored once: the
  // server keys it by its client_id.
  useEffect(() => {
    const ws = wsRef.current;
    if (state.conn !== 'open' || !ws || ws.readyState !== WebSocket.OPEN) return;
    const queued = state.pending.filter((p) => p.status === 'queued');
    if (!queued.length) return;
    for (const p of queued) ws.send(JSON.stringify({ message: p.message, client_id: p.id }));
    dispatch({ type: 'sent', ids: queued.map((p) => p.id) });
  }, [state.conn, state.pending]);

  // My read marker: a frame on the open socket, else the REST route. The
  // server only moves it forward, so a late or repeated one is harmless.
  const markRead = useCallback(
    (messageId: number) => {
      const ws = wsRef.current;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'read', message_id: messageId }));
      else chatsApi.read(roomId, messageId).catch(() => {});
    },
    [roomId],
  );

  const send = useCallback((text: string) => dispatch({ type: 'send', id: newClientId(), message: text.trim() }), []);
  const retry = useCallback((id: string) => dispatch({ type: 'retry', id }), []);
  const discard = useCallback((id: string) => dispatch({ type: 'discard', id }), []);
  const clearError = useCallback(() => dispatch({ type: 'clearError' }), []);

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
    loadOlder,
    markRead,
    olderBusy,
    olderError,
  };
}
