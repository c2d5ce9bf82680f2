import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../lib/types';
import {
  backoffDelay,
  chatReducer,
  ChatState,
  closeInfo,
  CONN_LABEL,
  reconnectDelay,
  VISIBLE_RETRY_MAX_MS,
  httpNotice,
  initialChatState,
  mergeMessages,
  newClientId,
  parseEvent,
} from './state';

const me = { id: 1, username: '나', email: 'me@x.kr' };
const other = { id: 2, username: '이웃', email: 'o@x.kr' };

function msg(id: number, text: string, user: typeof me | null = other): ChatMessage {
  return { id, message: text, created_at: '2026-11-26T01:00:00Z', chatroom: 3, user };
}

function run(s: ChatState, ...actions: Parameters<typeof chatReducer>[1][]): ChatState {
  return actions.reduce(chatReducer, s);
}

function opened(): ChatState {
  return run(initialChatState(me.id), { type: 'loaded', messages: [msg(1, 'a'), msg(2, 'b')], hasMore: true }, { type: 'open' });
}

describe('messages', () => {
  it('loads, marks loaded and keeps has_more', () => {
    const s = opened();
    expect(s.loaded).toBe(true);
    expect(s.hasMore).toBe(true);
    expect(s.conn).toBe('open');
    expect(s.messages.map((m) => m.id)).toEqual([1, 2]);
  });

  it('dedupes by id across live events, missed fetches and older pages', () => {
    let s = opened();
    s = run(
      s,
      { type: 'event', event: { type: 'chat.message', message: msg(3, 'c') } },
      { type: 'event', event: { type: 'chat.message', message: msg(3, 'c') } },
      { type: 'missed', messages: [msg(2, 'b'), msg(3, 'c'), msg(4, 'd')] },
      { type: 'older', messages: [msg(0, 'z'), msg(1, 'a')], hasMore: false },
    );
    expect(s.messages.map((m) => m.id)).toEqual([0, 1, 2, 3, 4]);
    expect(s.hasMore).toBe(false);
  });

  it('keeps the same array when nothing is new', () => {
    const list = [msg(1, 'a')];
    expect(mergeMessages(list, [msg(1, 'a')])).toBe(list);
  });

  it('adds system messages from join/leave events', () => {
    const s = run(opened(), {
      type: 'event',
      event: { type: 'chat.user.join', user_id: 5, message: msg(9, '철수 님이 입장했습니다.', null) },
    });
    expect(s.messages.at(-1)).toMatchObject({ id: 9, user: null });
  });
});

describe('optimistic send, matched by client_id', () => {
  const echo = (m: ChatMessage, client_id?: string) =>
    ({ type: 'event', event: { type: 'chat.message', message: m, ...(client_id ? { client_id } : {}) } }) as const;
  const error = (text: string, client_id?: string) =>
    ({ type: 'event', event: { type: 'chat.error', error: text, ...(client_id ? { client_id } : {}) } }) as const;

  it('shows my message at once as pending and clears it on the echo with its id', () => {
    let s = run(opened(), { type: 'send', id: 'c1', message: ' 안녕 ' }, { type: 'sent', ids: ['c1'] });
    expect(s.pending).toEqual([{ id: 'c1', message: '안녕', status: 'sent', after: 2 }]);
    s = run(s, echo(msg(3, '안녕', me), 'c1'));
    expect(s.pending).toEqual([]);
    expect(s.messages.at(-1)?.id).toBe(3);
  });

  it('is not cleared by the same text without my id (another member, my other device)', () => {
    const s = run(
      opened(),
      { type: 'send', id: 'c1', message: '네' },
      { type: 'sent', ids: ['c1'] },
      echo(msg(3, '네', other)),
      echo(msg(4, '네', me)),
    );
    expect(s.pending.map((p) => p.id)).toEqual(['c1']);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });

  it('clears exactly the message each echo names, in any order', () => {
    let s = run(
      opened(),
      { type: 'send', id: 'c1', message: '하나' },
      { type: 'send', id: 'c2', message: '둘' },
      { type: 'send', id: 'c3', message: '하나' },
      { type: 'sent', ids: ['c1', 'c2', 'c3'] },
    );
    s = run(s, echo(msg(3, '하나', me), 'c3'));
    expect(s.pending.map((p) => p.id)).toEqual(['c1', 'c2']);
    s = run(s, echo(msg(4, '하나', me), 'c1'), echo(msg(5, '둘', me), 'c2'));
    expect(s.pending).toEqual([]);
  });

  it('a repeated echo (a resend answered again) adds the message once', () => {
    const s = run(
      opened(),
      { type: 'send', id: 'c1', message: 'x' },
      { type: 'sent', ids: ['c1'] },
      { type: 'missed', messages: [msg(3, 'x', me)] },
      echo(msg(3, 'x', me), 'c1'),
      echo(msg(3, 'x', me), 'c1'),
    );
    expect(s.pending).toEqual([]);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('marks the message a chat.error names as failed and allows retry with the same id', () => {
    let s = run(
      opened(),
      { type: 'send', id: 'c1', message: '먼저' },
      { type: 'send', id: 'c2', message: '빠르게' },
      { type: 'sent', ids: ['c1', 'c2'] },
      error('너무 빨리 보내고 있어요.', 'c2'),
    );
    expect(s.error).toBe('너무 빨리 보내고 있어요.');
    expect(s.pending).toEqual([
      { id: 'c1', message: '먼저', status: 'sent', after: 2 },
      { id: 'c2', message: '빠르게', status: 'failed', error: '너무 빨리 보내고 있어요.', after: 2 },
    ]);
    s = run(s, { type: 'retry', id: 'c2' });
    expect(s.pending[1]).toEqual({ id: 'c2', message: '빠르게', status: 'queued', error: undefined, after: 2 });
    s = run(s, { type: 'discard', id: 'c2' }, { type: 'clearError' });
    expect(s.pending.map((p) => p.id)).toEqual(['c1']);
    expect(s.error).toBeNull();
  });

  it('shows a chat.error without an id but fails no message', () => {
    const s = run(opened(), { type: 'send', id: 'c1', message: 'a' }, { type: 'sent', ids: ['c1'] }, error('오류'));
    expect(s.error).toBe('오류');
    expect(s.pending[0].status).toBe('sent');
  });

  it('after a reconnect, queues every unanswered message again under the same id', () => {
    let s = run(
      opened(),
      { type: 'send', id: 'c1', message: '도착함' },
      { type: 'send', id: 'c2', message: '유실됨' },
      { type: 'sent', ids: ['c1', 'c2'] },
      error('저장 못 함', 'c2'),
      { type: 'send', id: 'c3', message: '보내는 중' },
      { type: 'sent', ids: ['c3'] },
      { type: 'closed', code: 1006 },
      { type: 'send', id: 'c4', message: '끊긴 동안' },
    );
    expect(s.conn).toBe('reconnecting');
    expect(s.pending.map((p) => [p.id, p.status])).toEqual([
      ['c1', 'sent'],
      ['c2', 'failed'],
      ['c3', 'sent'],
      ['c4', 'queued'],
    ]);
    s = run(s, { type: 'open' });
    // The failed one waits for its retry button; the others go out again.
    expect(s.pending.map((p) => [p.id, p.status])).toEqual([
      ['c1', 'queued'],
      ['c2', 'failed'],
      ['c3', 'queued'],
      ['c4', 'queued'],
    ]);
    s = run(s, { type: 'sent', ids: ['c1', 'c3', 'c4'] }, echo(msg(3, '도착함', me), 'c1'));
    expect(s.pending.map((p) => p.id)).toEqual(['c2', 'c3', 'c4']);
  });

  it('makes client ids the server accepts, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('connection state', () => {
  it('counts reconnect attempts and resets on open', () => {
    let s = run(opened(), { type: 'closed', code: 1006 }, { type: 'closed', code: 1013 });
    expect(s).toMatchObject({ conn: 'reconnecting', attempt: 2, notice: null });
    s = run(s, { type: 'open' });
    expect(s).toMatchObject({ conn: 'open', attempt: 0 });
  });

  it('stops with a notice for terminal close codes and ignores later closes', () => {
    let s = run(opened(), { type: 'closed', code: 4003 });
    expect(s.conn).toBe('stopped');
    expect(s.notice?.text).toBe('방장이 채팅방에서 내보냈어요');
    s = run(s, { type: 'closed', code: 1006 });
    expect(s.conn).toBe('stopped');
    expect(s.notice?.code).toBe(4003);
  });

  it('stops on an HTTP notice', () => {
    const s = run(opened(), { type: 'stop', notice: httpNotice(403)! });
    expect(s).toMatchObject({ conn: 'stopped', notice: { text: '채팅방에 접근할 권한이 없어요' } });
  });
});

describe('closeInfo', () => {
  it('maps each terminal code to its own notice', () => {
    const cases: [number, string, string][] = [
      [4040, '채팅방이 삭제되었어요', 'board'],
      [4003, '방장이 채팅방에서 내보냈어요', 'board'],
      [4001, '채팅방에서 나갔어요', 'post'],
      [4401, '로그인이 만료되었어요. 다시 로그인해 주세요', 'login'],
      [1008, '메시지를 너무 많이 보내 연결이 끊겼어요', 'none'],
    ];
    for (const [code, text, action] of cases) {
      expect(closeInfo(code)).toEqual({ reconnect: false, notice: { code, text, action } });
    }
  });
  it('reconnects on 1001, 1013, 1006 and unknown codes', () => {
    for (const code of [1001, 1013, 1006, 1011, 1009, 1000]) {
      expect(closeInfo(code)).toEqual({ reconnect: true, notice: null });
    }
  });
  it('maps HTTP statuses of the room', () => {
    expect(httpNotice(404)?.text).toBe('채팅방이 삭제되었어요');
    expect(httpNotice(500)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('doubles from 1s up to 30s without jitter (rand = 0.5)', () => {
    const schedule = Array.from({ length: 8 }, (_, i) => backoffDelay(i, 0.5));
    expect(schedule).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  it('jitters within ±20% and never exceeds 30s', () => {
    expect(backoffDelay(0, 0)).toBe(800);
    expect(backoffDelay(0, 0.999999)).toBe(1200);
    expect(backoffDelay(4, 1)).toBe(19200);
    expect(backoffDelay(5, 1)).toBe(30000);
    expect(backoffDelay(100, 0.9)).toBe(30000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(i % 10);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(30000);
    }
  });
});

describe('parseEvent', () => {
  it('parses known events and rejects junk', () => {
    expect(parseEvent(JSON.stringify({ type: 'chat.message', message: msg(1, 'a') }))?.type).toBe('chat.message');
    expect(parseEvent(JSON.stringify({ type: 'chat.error', error: '긴 메시지' }))).toEqual({
      type: 'chat.error',
      error: '긴 메시지',
    });
    expect(parseEvent(JSON.stringify({ type: 'chat.error', error: 'x', client_id: 'c1' }))).toEqual({
      type: 'chat.error',
      error: 'x',
      client_id: 'c1',
    });
    expect(parseEvent(JSON.stringify({ type: 'chat.message', message: msg(1, 'a'), client_id: 'c1' }))).toEqual({
      type: 'chat.message',
      message: msg(1, 'a'),
      client_id: 'c1',
    });
    expect(parseEvent('not json')).toBeNull();
    expect(parseEvent(JSON.stringify({ type: 'other' }))).toBeNull();
    expect(parseEvent(JSON.stringify({ type: 'chat.message' }))).toBeNull();
  });
});

describe('dead sockets (issue 14)', () => {
  const loaded = () => chatReducer(initialChatState(1), { type: 'loaded', messages: [], hasMore: false });
  it('marks a written message with no echo as failed, and a retry queues it with the same id', () => {
    let s = chatReducer(loaded(), { type: 'open' });
    s = chatReducer(s, { type: 'send', id: 'c1', message: '안녕' });
    s = chatReducer(s, { type: 'send', id: 'c2', message: '둘' });
    s = chatReducer(s, { type: 'sent', ids: ['c1'] });
    s = chatReducer(s, { type: 'timeout', ids: ['c1', 'c2'] });
    expect(s.pending.map((p) => [p.id, p.status, p.error])).toEqual([
      ['c1', 'failed', '전송 실패'],
      ['c2', 'queued', undefined], // never written: not timed out
    ]);
    s = chatReducer(s, { type: 'retry', id: 'c1' });
    expect(s.pending[0]).toEqual({ id: 'c1', message: '안녕', status: 'queued', error: undefined, after: 0 });
  });

  it('stays down (연결 끊김) through failed reopenings, until a socket answers', () => {
    let s = chatReducer(loaded(), { type: 'open' });
    s = chatReducer(s, { type: 'down' });
    expect([s.conn, CONN_LABEL[s.conn]]).toEqual(['down', '연결 끊김']);
    s = chatReducer(s, { type: 'closed', code: 1006 });
    expect(s.conn).toBe('down');
    s = chatReducer(s, { type: 'open' });
    expect(s.conn).toBe('open');
    s = chatReducer(s, { type: 'closed', code: 1006 });
    expect(s.conn).toBe('reconnecting');
  });

  it('does not leave stopped for down', () => {
    let s = chatReducer(loaded(), { type: 'closed', code: 4003 });
    s = chatReducer(s, { type: 'down' });
    expect(s.conn).toBe('stopped');
  });

  it('reconnects within a second while visible and online, politely when hidden', () => {
    for (const attempt of [0, 1, 5, 20])
      for (const r of [0, 0.5, 0.999]) {
        const d = reconnectDelay(attempt, true, true, r);
        expect(d).toBeGreaterThanOrEqual(VISIBLE_RETRY_MAX_MS / 2);
        expect(d).toBeLessThanOrEqual(VISIBLE_RETRY_MAX_MS);
      }
    expect(reconnectDelay(5, false, true, 0.5)).toBe(backoffDelay(5, 0.5));
    expect(reconnectDelay(5, true, false, 0.5)).toBe(backoffDelay(5, 0.5));
    expect(reconnectDelay(5, false, true, 0.5)).toBeGreaterThan(VISIBLE_RETRY_MAX_MS * 10);
  });
});

describe('reconcilePending: a send stored although its echo was lost', () => {
  const loaded = () =>
    chatReducer(chatReducer(initialChatState(1), { type: 'loaded', messages: [msg(1, '전', me)], hasMore: false }), { type: 'open' });
  it('drops a failed or written message that the catch-up shows stored, one stored copy each', () => {
    let s = loaded();
    for (const id of ['c1', 'c2', 'c3']) s = chatReducer(s, { type: 'send', id, message: 'ㅋㅋ' });
    s = chatReducer(s, { type: 'sent', ids: ['c1', 'c2'] });
    s = chatReducer(s, { type: 'timeout', ids: ['c1'] });
    // Only one of the two written ones was stored; the queued one was never written.
    s = chatReducer(s, { type: 'missed', messages: [msg(5, 'ㅋㅋ', me)] });
    expect(s.pending.map((p) => [p.id, p.status])).toEqual([
      ['c2', 'sent'],
      ['c3', 'queued'],
    ]);
    expect(s.messages.map((m) => m.id)).toEqual([1, 5]);
  });
  it('keeps it when the stored copy is older than the send, someone else wrote it, or the text differs', () => {
    let s = loaded();
    s = chatReducer(s, { type: 'send', id: 'c1', message: '전' });
    s = chatReducer(s, { type: 'sent', ids: ['c1'] });
    s = chatReducer(s, { type: 'missed', messages: [msg(1, '전', me), msg(6, '전', other), msg(7, '후', me)] });
    expect(s.pending.map((p) => p.id)).toEqual(['c1']);
  });
});
