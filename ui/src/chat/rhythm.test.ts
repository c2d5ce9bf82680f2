import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../lib/types';
import { counterVisible, enterSends } from './compose';
import { dateLabel, groupMessages, kstDay, linkify, RUN_GAP_MS } from './rhythm';

let nextId = 1;
function msg(user: number | null, at: string, text = 'x'): ChatMessage {
  return {
    id: nextId++,
    message: text,
    created_at: at,
    chatroom: 1,
    user: user === null ? null : { id: user, username: `u${user}` },
  } as ChatMessage;
}

function flags(items: ReturnType<typeof groupMessages>) {
  return items.map((it) =>
    it.kind === 'date' ? `[${it.label}]` : `${it.message.user?.id ?? 'sys'}${it.showName ? 'N' : ''}${it.showTime ? 'T' : ''}`,
  );
}

describe('groupMessages', () => {
  it('shows the name once per run and the time on the last bubble of a minute', () => {
    const items = groupMessages(
      [
        msg(2, '2026-11-28T03:00:05Z'),
        msg(2, '2026-11-28T03:00:40Z'),
        msg(2, '2026-11-28T03:01:10Z'),
        msg(3, '2026-11-28T03:01:20Z'),
        msg(2, '2026-11-28T03:01:30Z'),
      ],
      1,
    );
    expect(flags(items)).toEqual(['[2026년 11월 28일 토요일]', '2N', '2T', '2T', '3NT', '2NT']);
  });

  it('never names my own messages but gives them times', () => {
    const items = groupMessages([msg(1, '2026-11-28T03:00:05Z'), msg(1, '2026-11-28T03:00:06Z')], 1);
    expect(flags(items).slice(1)).toEqual(['1', '1T']);
  });

  it('breaks a run on a system message', () => {
    const items = groupMessages(
      [msg(2, '2026-11-28T03:00:05Z'), msg(null, '2026-11-28T03:00:06Z'), msg(2, '2026-11-28T03:00:07Z')],
      1,
    );
    expect(flags(items).slice(1)).toEqual(['2NT', 'sys', '2NT']);
  });

  it('breaks a run after a pause longer than the gap', () => {
    const a = '2026-11-28T03:00:00Z';
    const b = new Date(Date.parse(a) + RUN_GAP_MS + 1000).toISOString();
    const c = new Date(Date.parse(b) + RUN_GAP_MS).toISOString(); // exactly the gap: same run
    expect(flags(groupMessages([msg(2, a), msg(2, b), msg(2, c)], 1)).slice(1)).toEqual(['2NT', '2NT', '2T']);
  });

  it('puts a date separator at each new day in Seoul, not in UTC', () => {
    // 14:59Z is 23:59 in Seoul; 15:00Z is the next day there (same UTC day).
    const items = groupMessages([msg(2, '2026-11-28T14:59:30Z'), msg(2, '2026-11-28T15:00:10Z')], 1);
    expect(flags(items)).toEqual(['[2026년 11월 28일 토요일]', '2NT', '[2026년 11월 29일 일요일]', '2NT']);
    expect(kstDay('2026-11-28T15:00:10Z') - kstDay('2026-11-28T14:59:30Z')).toBe(1);
  });

  it('labels dates in Korean with the weekday', () => {
    expect(dateLabel('2026-01-01T00:00:00Z')).toBe('2026년 1월 1일 목요일');
  });
});

describe('linkify', () => {
  it('turns http and https URLs into links and keeps the rest as text', () => {
    expect(linkify('메뉴 https://example.com/a?b=1 보세요')).toEqual([
      { text: '메뉴 ' },
      { href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1' },
      { text: ' 보세요' },
    ]);
    expect(linkify('http://x.kr')).toEqual([{ href: 'http://x.kr/', text: 'http://x.kr' }]);
  });

  it('leaves other schemes and HTML as plain text (only the https URL inside becomes a link)', () => {
    const t = 'javascript:alert(1) <a href="https://evil">x</a> ftp://a.b data:text/html,<b>';
    const parts = linkify(t);
    expect(parts.map((p) => p.text).join('')).toBe(t);
    expect(parts.filter((p) => 'href' in p).map((p) => ('href' in p ? p.href : ''))).toEqual(['https://evil/']);
  });

  it('leaves sentence punctuation outside the link', () => {
    expect(linkify('여기요: https://a.kr/x. 그리고 (https://b.kr/y)!')).toEqual([
      { text: '여기요: ' },
      { href: 'https://a.kr/x', text: 'https://a.kr/x' },
      { text: '. 그리고 (' },
      { href: 'https://b.kr/y', text: 'https://b.kr/y' },
      { text: ')!' },
    ]);
    expect(linkify('https://ko.wikipedia.org/wiki/A_(B)')[0]).toEqual({
      href: 'https://ko.wikipedia.org/wiki/A_(B)',
      text: 'https://ko.wikipedia.org/wiki/A_(B)',
    });
  });

  it('returns the text whole when it has no link', () => {
    expect(linkify('안녕하세요')).toEqual([{ text: '안녕하세요' }]);
    expect(linkify('')).toEqual([]);
  });
});

describe('composer rules', () => {
  const key = (k: Partial<Parameters<typeof enterSends>[0]>) => ({ key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13, ...k });
  it('sends on Enter on desktops, Shift+Enter is a newline', () => {
    expect(enterSends(key({}), false)).toBe(true);
    expect(enterSends(key({ shiftKey: true }), false)).toBe(false);
    expect(enterSends(key({ key: 'a' }), false)).toBe(false);
  });
  it('never sends on Enter on touch devices', () => {
    expect(enterSends(key({}), true)).toBe(false);
  });
  it('never sends while an IME composes', () => {
    expect(enterSends(key({ isComposing: true }), false)).toBe(false);
    expect(enterSends(key({ keyCode: 229 }), false)).toBe(false);
  });
  it('shows the counter only from 80 % of the limit', () => {
    expect(counterVisible(239, 300)).toBe(false);
    expect(counterVisible(240, 300)).toBe(true);
    expect(counterVisible(301, 300)).toBe(true);
  });
});
