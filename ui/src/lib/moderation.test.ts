import { describe, expect, it } from 'vitest';
import { actionsFor, reasonLabel, REPORT_REASONS, validateReport, withoutBlocked } from './moderation';
import { matchRoute } from './router';
import { chatReducer, initialChatState, parseEvent } from '../chat/state';

describe('moderation helpers', () => {
  it('labels every reason the server accepts in Korean', () => {
    expect(REPORT_REASONS.map((r) => r.value)).toEqual(['spam', 'abuse', 'fraud', 'inappropriate', 'other']);
    expect(reasonLabel('spam')).toBe('스팸·광고');
    expect(reasonLabel('unknown')).toBe('unknown');
  });
  it('offers no hide for a user and no disable without an account', () => {
    expect(actionsFor('user', 5)).toEqual(['disable-user', 'dismiss']);
    expect(actionsFor('post', 5)).toEqual(['hide', 'disable-user', 'dismiss']);
    expect(actionsFor('message', 0)).toEqual(['hide', 'dismiss']);
  });
  it('validates a report like the server', () => {
    expect(validateReport('', '')).toBe('신고 사유를 골라 주세요.');
    expect(validateReport('spam', '가'.repeat(500))).toBeNull();
    expect(validateReport('spam', '가'.repeat(501))).toContain('500자');
  });
  it('routes the reset and admin pages with and without the slash', () => {
    expect(matchRoute('/reset-password/', '/reset-password')).toEqual({});
    expect(matchRoute('/admin/', '/admin/')).toEqual({});
  });
});

describe('a message hidden by staff, live', () => {
  const m = (id: number, message: string) => ({
    id,
    message,
    created_at: '2026-01-01T00:00:00Z',
    chatroom: 1,
    user: { id: 2, username: 'b', email: 'b@x.kr' },
  });
  it('replaces the text under the same id', () => {
    const ev = parseEvent(JSON.stringify({ type: 'chat.message.hidden', message: m(5, '운영 정책에 따라 가려진 메시지입니다') }));
    expect(ev?.type).toBe('chat.message');
    let s = initialChatState(1);
    s = chatReducer(s, { type: 'loaded', messages: [m(4, '안녕'), m(5, '나쁜 말')], hasMore: false });
    s = chatReducer(s, { type: 'event', event: ev! });
    expect(s.messages.map((x) => x.message)).toEqual(['안녕', '운영 정책에 따라 가려진 메시지입니다']);
    expect(parseEvent(JSON.stringify({ type: 'chat.message.hidden' }))).toBeNull();
  });
});

describe('blocked users in the live chat', () => {
  it('drops their messages and keeps system notices', () => {
    const msgs = [
      { id: 1, user: { id: 2 } },
      { id: 2, user: null },
      { id: 3, user: { id: 3 } },
    ];
    expect(withoutBlocked(msgs, new Set([2])).map((m) => m.id)).toEqual([2, 3]);
    expect(withoutBlocked(msgs, new Set())).toBe(msgs);
  });
});
