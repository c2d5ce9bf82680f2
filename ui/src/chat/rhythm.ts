import { dayLabel } from '../lib/format';
import type { ChatMessage } from '../lib/types';

/*
 * The KakaoTalk rhythm of the chat log, as pure functions.
 *
 * A run is consecutive messages of one sender. It breaks on another sender,
 * a system message, a new day (Asia/Seoul) or a gap of more than RUN_GAP_MS
 * between two of the sender's messages. The sender's name shows on the
 * first bubble of a run (never on my own). The time shows on the last bubble
 * of a minute (Asia/Seoul) of a run: a bubble followed, in the same run, by
 * one from the same minute has no time of its own.
 */

/** The longest pause that keeps one run going (5 minutes). */
export const RUN_GAP_MS = 5 * 60 * 1000;

const KST_OFFSET_MS = 9 * 60 * 60 * 1000; // Korea has no daylight saving time

function ms(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/** The day in Asia/Seoul as a number (days since the epoch there). */
export function kstDay(iso: string): number {
  return Math.floor((ms(iso) + KST_OFFSET_MS) / 86_400_000);
}

/** The minute in Asia/Seoul as a number. */
export function kstMinute(iso: string): number {
  return Math.floor((ms(iso) + KST_OFFSET_MS) / 60_000);
}

/** "2026년 11월 28일 토요일" for a date separator. */
export function dateLabel(iso: string): string {
  return dayLabel(new Date(ms(iso)).toISOString());
}

export type LogItem =
  | { kind: 'date'; key: string; label: string; day: number }
  | {
      kind: 'message';
      key: string;
      message: ChatMessage;
      /** show the sender's name above this bubble (first of a run, not mine) */
      showName: boolean;
      /** show the time beside this bubble (last of its minute in the run) */
      showTime: boolean;
      /** first bubble of a run (a little more space above it) */
      runStart: boolean;
    };

function senderOf(m: ChatMessage): number | null {
  return m.user ? m.user.id : null;
}

/** Whether b continues a's run. */
function sameRun(a: ChatMessage, b: ChatMessage): boolean {
  const sa = senderOf(a);
  return (
    sa !== null &&
    sa === senderOf(b) &&
    kstDay(a.created_at) === kstDay(b.created_at) &&
    ms(b.created_at) - ms(a.created_at) <= RUN_GAP_MS
  );
}

/**
 * The log's items in order: a date separator before the first message of
 * each day, then the messages with their name/time flags. Messages are
 * expected in ascending order (as the chat state keeps them).
 */
export function groupMessages(messages: ChatMessage[], myId: number): LogItem[] {
  const items: LogItem[] = [];
  let day: number | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const prev = i > 0 ? messages[i - 1] : null;
    const next = i + 1 < messages.length ? messages[i + 1] : null;
    const d = kstDay(m.created_at);
    if (d !== day) {
      day = d;
      items.push({ kind: 'date', key: `d${d}`, label: dateLabel(m.created_at), day: d });
    }
    const sender = senderOf(m);
    const runStart = !prev || !sameRun(prev, m);
    const lastOfMinute = !next || !sameRun(m, next) || kstMinute(next.created_at) !== kstMinute(m.created_at);
    items.push({
      kind: 'message',
      key: `m${m.id}`,
      message: m,
      showName: sender !== null && sender !== myId && runStart,
      showTime: sender !== null && lastOfMinute,
      runStart,
    });
  }
  return items;
}

export type TextPart = { text: string } | { href: string; text: string };

// http(s) URLs up to whitespace or characters that cannot end one here.
const URL_RE = /https?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than the URL.
const TRAILING = /[.,;:!?…。、)\]}>'"]+$/;

/**
 * Splits text into plain parts and http/https links. React renders both as
 * text, so nothing in a message can become HTML; a part becomes a link only
 * when it parses as an http: or https: URL.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let raw = match[0];
    const trail = raw.match(TRAILING);
    if (trail) {
      // Keep a closing parenthesis that has its opening one inside the URL.
      let cut = trail[0];
      if (cut.startsWith(')') && raw.slice(0, -cut.length).includes('(')) cut = cut.slice(1);
      raw = raw.slice(0, raw.length - cut.length);
    }
    const start = match.index ?? 0;
    let href: string | null = null;
    try {
      const u = new URL(raw);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) href = u.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
