import type { ChatListItem, MeFrame } from '../lib/types';

/**
 * My rooms as the chat list and the badges show them: pages of GET
 * /api/chat/ merged with the room.updated / room.removed frames of /ws/me/.
 *
 * A page and a frame can cross: a page asked for before a frame may arrive
 * after it and carry an older copy of that room (or a room the frame
 * removed). Every frame bumps `seq` and notes the room in `touched`; a page
 * records the `seq` it was asked at, and for a room touched after that the
 * frame's copy (or removal) wins.
 */
export interface ChatListState {
  rooms: ChatListItem[];
  /** cursor of the next page; null when every room is loaded */
  next: string | null;
  loaded: boolean;
  seq: number;
  /** room id → seq of the last frame about it */
  touched: Map<number, number>;
  /** the room open and visible in this tab: counts as read */
  viewing: number | null;
}

export type ChatListAction =
  | { type: 'page'; rooms: ChatListItem[]; next: string | null; since: number; first: boolean }
  | { type: 'frame'; frame: MeFrame }
  | { type: 'read'; id: number }
  | { type: 'muted'; id: number; muted: boolean }
  | { type: 'viewing'; id: number | null }
  | { type: 'reset' };

export function initialChatList(): ChatListState {
  return { rooms: [], next: null, loaded: false, seq: 0, touched: new Map(), viewing: null };
}

function validItem(r: unknown): r is ChatListItem {
  if (!r || typeof r !== 'object') return false;
  const x = r as ChatListItem;
  return typeof x.id === 'number' && !!x.post && typeof x.post === 'object' && typeof x.unread === 'number';
}

export function chatListReducer(s: ChatListState, a: ChatListAction): ChatListState {
  switch (a.type) {
    case 'page': {
      const fresh = (r: ChatListItem) => (s.touched.get(r.id) ?? -1) <= a.since;
      const incoming = a.rooms.filter((r) => validItem(r) && fresh(r));
      let rooms: ChatListItem[];
      if (a.first) {
        // The first page replaces the list, but rooms a frame touched after
        // the page was asked for keep their frame copy, on top.
        const ids = new Set(incoming.map((r) => r.id));
        const newer = s.rooms.filter((r) => !fresh(r) && !ids.has(r.id));
        rooms = [...newer, ...incoming];
      } else {
        const have = new Set(s.rooms.map((r) => r.id));
        rooms = [...s.rooms, ...incoming.filter((r) => !have.has(r.id))];
      }
      return { ...s, rooms, next: a.next, loaded: true };
    }
    case 'frame': {
      const f = a.frame;
      const seq = s.seq + 1;
      const touched = new Map(s.touched);
      if (f.type === 'room.removed') {
        touched.set(f.id, seq);
        return { ...s, seq, touched, rooms: s.rooms.filter((r) => r.id !== f.id) };
      }
      const room = f.room;
      touched.set(room.id, seq);
      const i = s.rooms.findIndex((r) => r.id === room.id);
      const old = i >= 0 ? s.rooms[i] : null;
      let rooms: ChatListItem[];
      if (old && old.last_message?.id === room.last_message?.id) {
        // Same last message (a read marker, mute, an order field): stay in place.
        rooms = s.rooms.slice();
        rooms[i] = room;
      } else {
        // New activity: to the top, where the server's order puts it too.
        rooms = [room, ...s.rooms.filter((r) => r.id !== room.id)];
      }
      return { ...s, seq, touched, rooms };
    }
    case 'read':
      return setRoom(s, a.id, (r) => (r.unread === 0 ? r : { ...r, unread: 0 }));
    case 'muted':
      return setRoom(s, a.id, (r) => (r.muted === a.muted ? r : { ...r, muted: a.muted }));
    case 'viewing':
      return s.viewing === a.id ? s : { ...s, viewing: a.id };
    case 'reset':
      return initialChatList();
  }
}

function setRoom(s: ChatListState, id: number, fn: (r: ChatListItem) => ChatListItem): ChatListState {
  const i = s.rooms.findIndex((r) => r.id === id);
  if (i < 0) return s;
  const next = fn(s.rooms[i]);
  if (next === s.rooms[i]) return s;
  const rooms = s.rooms.slice();
  rooms[i] = next;
  return { ...s, rooms };
}

/** What a room's badge shows: the room open and visible here counts as read. */
export function unreadOf(s: ChatListState, r: ChatListItem): number {
  return r.id === s.viewing ? 0 : Math.max(0, r.unread);
}

/**
 * The total for the tab title and the 채팅 badge: unread messages of every
 * loaded room, muted rooms left out (muting a room is asking not to be
 * nagged about it; its own row still shows its count).
 */
export function unreadTotal(s: ChatListState): number {
  let n = 0;
  for (const r of s.rooms) if (!r.muted) n += unreadOf(s, r);
  return n;
}

/** "99+" above 99. */
export function badgeText(n: number): string {
  return n > 99 ? '99+' : String(n);
}

/** Parse one /ws/me/ text frame; null for anything we do not know. */
export function parseMeFrame(data: unknown): MeFrame | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const e = v as Record<string, unknown>;
  if (e.type === 'room.updated' && validItem(e.room)) return { type: 'room.updated', room: e.room };
  if (e.type === 'room.removed' && typeof e.id === 'number') return { type: 'room.removed', id: e.id };
  return null;
}
