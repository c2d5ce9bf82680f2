import { describe, expect, it } from 'vitest';
import type { ChatListItem } from '../lib/types';
import { badgeText, chatListReducer, ChatListState, initialChatList, parseMeFrame, unreadTotal } from './list';

function item(id: number, lastId: number | null, unread = 0, muted = false): ChatListItem {
  return {
    id,
    post: { id: id * 10, title: `방 ${id}`, store_name: null, order_state: null, order_at: null, is_compelete: false },
    last_message:
      lastId === null ? null : { id: lastId, message: `m${lastId}`, created_at: '2026-11-28T10:00:00Z', user: { id: 2, username: 'b' } },
    unread,
    muted,
  };
}

const ids = (s: ChatListState) => s.rooms.map((r) => r.id);

function run(s: ChatListState, ...actions: Parameters<typeof chatListReducer>[1][]) {
  return actions.reduce(chatListReducer, s);
}

describe('chat list', () => {
  it('loads the first page, appends the next without duplicates', () => {
    let s = run(initialChatList(), { type: 'page', rooms: [item(1, 9), item(2, 5)], next: 'c1', since: 0, first: true });
    expect(ids(s)).toEqual([1, 2]);
    expect(s.next).toBe('c1');
    expect(s.loaded).toBe(true);
    s = run(s, { type: 'page', rooms: [item(2, 5), item(3, 1)], next: null, since: 0, first: false });
    expect(ids(s)).toEqual([1, 2, 3]);
    expect(s.next).toBeNull();
  });

  it('moves a room with a new last message to the top and adds unknown rooms', () => {
    let s = run(initialChatList(), { type: 'page', rooms: [item(1, 9), item(2, 5), item(3, 4)], next: null, since: 0, first: true });
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(3, 10, 1) } });
    expect(ids(s)).toEqual([3, 1, 2]);
    expect(s.rooms[0].unread).toBe(1);
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(7, 11, 2) } });
    expect(ids(s)).toEqual([7, 3, 1, 2]);
  });

  it('updates in place when the last message did not change (read marker, mute)', () => {
    let s = run(initialChatList(), { type: 'page', rooms: [item(1, 9, 0), item(2, 5, 3)], next: null, since: 0, first: true });
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(2, 5, 0, true) } });
    expect(ids(s)).toEqual([1, 2]);
    expect(s.rooms[1]).toMatchObject({ unread: 0, muted: true });
  });

  it('drops a removed room, and a page asked for before the removal does not bring it back', () => {
    let s = run(initialChatList(), { type: 'page', rooms: [item(1, 9), item(2, 5)], next: null, since: 0, first: true });
    const since = s.seq;
    s = run(s, { type: 'frame', frame: { type: 'room.removed', id: 2 } });
    expect(ids(s)).toEqual([1]);
    s = run(s, { type: 'page', rooms: [item(1, 9), item(2, 5)], next: null, since, first: true });
    expect(ids(s)).toEqual([1]);
    // Re-joined later: a frame brings it back.
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(2, 12, 1) } });
    expect(ids(s)).toEqual([2, 1]);
  });

  it('keeps a frame newer than the page that crossed it', () => {
    let s = initialChatList();
    const since = s.seq; // the page is asked for now …
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(4, 20, 5) } }); // … a frame arrives …
    s = run(s, { type: 'page', rooms: [item(1, 9), item(4, 19, 4)], next: null, since, first: true }); // … then the older page
    expect(ids(s)).toEqual([4, 1]);
    expect(s.rooms[0]).toMatchObject({ unread: 5, last_message: { id: 20 } });
    // A page asked for after the frame wins again.
    s = run(s, { type: 'page', rooms: [item(4, 20, 0), item(1, 9)], next: null, since: s.seq, first: true });
    expect(s.rooms[0].unread).toBe(0);
  });

  it('totals unread over rooms, without muted rooms and the room being viewed', () => {
    let s = run(initialChatList(), {
      type: 'page',
      rooms: [item(1, 9, 2), item(2, 5, 3), item(3, 4, 10, true)],
      next: null,
      since: 0,
      first: true,
    });
    expect(unreadTotal(s)).toBe(5);
    s = run(s, { type: 'viewing', id: 2 });
    expect(unreadTotal(s)).toBe(2);
    s = run(s, { type: 'viewing', id: null }, { type: 'read', id: 2 });
    expect(unreadTotal(s)).toBe(2);
    s = run(s, { type: 'muted', id: 3, muted: false });
    expect(unreadTotal(s)).toBe(12);
    s = run(s, { type: 'frame', frame: { type: 'room.updated', room: item(1, 10, 3) } });
    expect(unreadTotal(s)).toBe(13);
  });

  it('reads frames defensively', () => {
    expect(parseMeFrame(JSON.stringify({ type: 'room.updated', room: item(1, 2) }))).toMatchObject({ type: 'room.updated' });
    expect(parseMeFrame(JSON.stringify({ type: 'room.removed', id: 4 }))).toEqual({ type: 'room.removed', id: 4 });
    expect(parseMeFrame(JSON.stringify({ type: 'room.updated', room: { id: 1 } }))).toBeNull();
    expect(parseMeFrame(JSON.stringify({ type: 'room.removed', id: '4' }))).toBeNull();
    expect(parseMeFrame('{')).toBeNull();
    expect(parseMeFrame(new ArrayBuffer(1))).toBeNull();
    expect(badgeText(5)).toBe('5');
    expect(badgeText(120)).toBe('99+');
  });
});
