import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { chatsApi, errorMessage, isAbort } from '../lib/api';
import { setUnreadCount } from '../lib/title';
import { whenIdle } from '../lib/idle';
import { backoffDelay, closeInfo } from '../chat/state';
import { chatListReducer, ChatListState, initialChatList, parseMeFrame, unreadTotal } from './list';

/** Pages followed on (re)connect, so that the total counts rooms beyond the first 20. */
const FOLLOW_PAGES = 5;

export interface MyChats {
  state: ChatListState;
  total: number;
  /** '' or why the list could not be loaded */
  error: string;
  /** the /ws/me/ socket is open */
  live: boolean;
  loadMore: () => Promise<void>;
  reload: () => void;
  markRead: (roomId: number) => void;
  setMuted: (roomId: number, muted: boolean) => void;
  setViewing: (roomId: number | null) => void;
}

const Ctx = createContext<MyChats | null>(null);

/** The chat list state of the signed-in user; null when signed out. */
export function useMyChats(): MyChats | null {
  return useContext(Ctx);
}

function meSocketUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${window.location.host}/ws/me/`;
}

/**
 * One /ws/me/ socket per tab for the signed-in user, and the list of my rooms
 * it keeps current. On every (re)connect the list is fetched again, since
 * frames may have been missed while the socket was down.
 */
export function MyChatsProvider({ userId, children }: { userId: number | null; children: ReactNode }) {
  const [state, dispatch] = useReducer(chatListReducer, undefined, initialChatList);
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const stateRef = useRef(state);
  stateRef.current = state;
  const [tick, setTick] = useState(0);

  const fetchPages = useCallback(async (signal: AbortSignal) => {
    let cursor: string | null = null;
    for (let i = 0; i < FOLLOW_PAGES; i++) {
      const since = stateRef.current.seq;
      const page = await chatsApi.list(cursor, signal);
      const rooms = Array.isArray(page?.rooms) ? page.rooms : [];
      const next = typeof page?.next === 'string' && page.next ? page.next : null;
      dispatch({ type: 'page', rooms, next, since, first: i === 0 });
      if (!next) break;
      cursor = next;
    }
  }, []);

  useEffect(() => {
    dispatch({ type: 'reset' });
    if (userId === null) return;
    let cancelled = false;
    let ws: WebSocket | null = null;
    let timer: number | undefined;
    let attempt = 0;
    let ctl: AbortController | null = null;

    function refresh() {
      ctl?.abort();
      const c = new AbortController();
      ctl = c;
      fetchPages(c.signal)
        .then(() => !cancelled && setError(''))
        .catch((e) => {
          if (!cancelled && !isAbort(e)) setError(errorMessage(e));
        });
    }

    function connect() {
      if (cancelled) return;
      let sock: WebSocket;
      try {
        sock = new WebSocket(meSocketUrl());
      } catch {
        schedule();
        return;
      }
      ws = sock;
      sock.onopen = () => {
        if (cancelled) return;
        attempt = 0;
        setLive(true);
        refresh();
      };
      sock.onmessage = (ev) => {
        const f = parseMeFrame(ev.data);
        if (f && !cancelled) dispatch({ type: 'frame', frame: f });
      };
      sock.onclose = (ev) => {
        if (ws !== sock) return;
        ws = null;
        setLive(false);
        if (cancelled) return;
        // 4401: the session ended; the next API call sends the user to log in.
        if (ev.code === 4401 || !closeInfo(ev.code).reconnect) return;
        schedule();
      };
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(connect, backoffDelay(attempt++));
    }

    let started = false;
    function onOnline() {
      if (started && !ws && !cancelled) {
        window.clearTimeout(timer);
        connect();
      }
    }

    // Start once the page's own first screen is done (the next idle period,
    // at most 2 s): the list and the socket are for the badge and the chat
    // list, not for the screen being opened, and their work made the page's
    // first effects task longer. The badge need not wait for the socket.
    const start = () => {
      if (cancelled) return;
      started = true;
      refresh();
      connect();
    };
    const cancelStart = whenIdle(start, 2000);
    window.addEventListener('online', onOnline);
    return () => {
      cancelled = true;
      cancelStart();
      ctl?.abort();
      window.clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      const s = ws;
      ws = null;
      setLive(false);
      if (s && s.readyState <= WebSocket.OPEN) s.close(1000);
    };
  }, [userId, fetchPages, tick]);

  const total = unreadTotal(state);
  useEffect(() => {
    setUnreadCount(total);
  }, [total]);
  useEffect(() => () => setUnreadCount(0), []);

  const loadMore = useCallback(async () => {
    const cursor = stateRef.current.next;
    if (!cursor) return;
    const since = stateRef.current.seq;
    try {
      const page = await chatsApi.list(cursor);
      const next = typeof page?.next === 'string' && page.next ? page.next : null;
      dispatch({ type: 'page', rooms: Array.isArray(page?.rooms) ? page.rooms : [], next, since, first: false });
      setError('');
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const markRead = useCallback((roomId: number) => dispatch({ type: 'read', id: roomId }), []);
  const setMuted = useCallback((roomId: number, muted: boolean) => dispatch({ type: 'muted', id: roomId, muted }), []);
  const setViewing = useCallback((roomId: number | null) => dispatch({ type: 'viewing', id: roomId }), []);

  const value = useMemo<MyChats | null>(
    () => (userId === null ? null : { state, total, error, live, loadMore, reload, markRead, setMuted, setViewing }),
    [userId, state, total, error, live, loadMore, reload, markRead, setMuted, setViewing],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
