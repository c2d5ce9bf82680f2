import { memo, MutableRefObject, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ReportBlock } from '../components/ReportBlock';
import { clockTime, fullTime } from '../lib/format';
import type { ChatMessage } from '../lib/types';
import { groupMessages, linkify } from './rhythm';
import type { Pending } from './state';

interface Props {
  messages: ChatMessage[];
  pending: Pending[];
  myId: number;
  hasMore: boolean;
  stopped: boolean;
  olderBusy: boolean;
  olderError: string;
  loadOlder: () => void;
  retry: (id: string) => void;
  discard: (id: string) => void;
  /** true while the view follows new messages; the composer sets it on send */
  stick: MutableRefObject<boolean>;
}

/** A message's text with its http/https URLs as links; the rest stays text. */
function MessageText({ text }: { text: string }) {
  const parts = linkify(text);
  if (parts.length === 1 && !('href' in parts[0])) return <>{text}</>;
  return (
    <>
      {parts.map((p, i) =>
        'href' in p ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer" data-testid="message-link">
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </>
  );
}

const NEAR_BOTTOM_PX = 80;

/**
 * The scrolling log: older-page button, stored messages in runs with date
 * separators, then my pending ones. The scroll area is a labelled,
 * focusable region (keyboard users scroll it with the arrow keys); inside
 * it a role="log" wrapper announces new messages, and the <ol> keeps its
 * list semantics.
 */
// memo: the room re-renders for its connection state, members and order;
// the log only when its own props change (each render of it is the most
// costly part of the room's start-up renders).
export const MessageList = memo(function MessageList({
  messages,
  pending,
  myId,
  hasMore,
  stopped,
  olderBusy,
  olderError,
  loadOlder,
  retry,
  discard,
  stick,
}: Props) {
  const logRef = useRef<HTMLDivElement>(null);
  const [reporting, setReporting] = useState<number | null>(null); // the message whose report form is open
  const [unseen, setUnseen] = useState(false); // a message arrived while scrolled up
  const prevFirst = useRef<{ id: number; height: number } | null>(null);
  const prevLast = useRef<number | undefined>(undefined);
  const firstId = messages[0]?.id;
  const lastId = messages[messages.length - 1]?.id;
  const count = messages.length + pending.length;
  const items = useMemo(() => groupMessages(messages, myId), [messages, myId]);

  // Keep the view pinned to the bottom for new messages; keep position when
  // older messages are prepended; offer the pill for a new one while the
  // reader is scrolled up.
  //
  // Only the prepend (after a tap on 이전 메시지) reads the layout here. Pinning
  // to the bottom and measuring the height waits for the next animation
  // frame, which still runs before that frame's paint: reading scrollHeight
  // in this effect forced a layout of the whole log inside React's commit,
  // one long task with the render (Lighthouse's Total Blocking Time). The
  // frame pins only if the reader has not scrolled away meanwhile; the
  // scroll event of an earlier pin, which may come after a new message was
  // added, is not the reader's (pinned, onScroll).
  const frame = useRef(0);
  const pinned = useRef<number | null>(null); // the scrollTop the last pin left
  useLayoutEffect(() => {
    const el = logRef.current;
    if (!el) return;
    const pf = prevFirst.current;
    window.cancelAnimationFrame(frame.current);
    if (pf && firstId !== undefined && firstId < pf.id) {
      el.scrollTop += el.scrollHeight - pf.height;
      prevFirst.current = { id: firstId, height: el.scrollHeight };
    } else {
      const follow = stick.current;
      if (!follow && lastId !== undefined && prevLast.current !== undefined && lastId > prevLast.current) setUnseen(true);
      frame.current = window.requestAnimationFrame(() => {
        if (follow && stick.current) {
          el.scrollTop = el.scrollHeight;
          pinned.current = el.scrollTop;
        }
        prevFirst.current = firstId !== undefined ? { id: firstId, height: el.scrollHeight } : null;
      });
    }
    prevLast.current = lastId;
  }, [count, firstId, lastId, stick]);
  useEffect(() => () => window.cancelAnimationFrame(frame.current), []);

  // Stay pinned when the log or its content changes size without a new
  // message: a bar above it appears (연결 끊김), a message gains its 전송 실패
  // row, the keyboard opens.
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = logRef.current;
    const list = listRef.current;
    if (!el || !list || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    ro.observe(list);
    return () => ro.disconnect();
  }, [stick]);

  function toBottom() {
    const el = logRef.current;
    stick.current = true;
    setUnseen(false);
    if (el) el.scrollTo({ top: el.scrollHeight });
  }

  return (
    <div className="chat-log-wrap">
      <div
        className="chat-log"
        ref={logRef}
        role="region"
        aria-label="채팅 메시지"
        tabIndex={0}
        data-testid="chat-scroll"
        onScroll={(e) => {
          const el = e.currentTarget;
          if (pinned.current !== null && el.scrollTop === pinned.current) return; // the last pin's own event
          pinned.current = null;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
          if (stick.current && unseen) setUnseen(false);
        }}
      >
        {hasMore && (
          <div className="center">
            <button type="button" className="btn btn-ghost btn-sm" onClick={loadOlder} disabled={olderBusy} data-testid="load-older">
              {olderBusy ? '불러오는 중…' : '이전 메시지'}
            </button>
            {olderError && <p className="field-errors">{olderError}</p>}
          </div>
        )}
        <div role="log" aria-live="polite" aria-label="새 메시지" data-testid="chat-log">
          <ol className="messages" ref={listRef} data-testid="message-list">
            {messages.length === 0 && pending.length === 0 && (
              <li className="msg-system muted">아직 메시지가 없어요. 먼저 인사해 보세요!</li>
            )}
            {items.map((it) => {
              if (it.kind === 'date')
                return (
                  <li key={it.key} className="msg-date" data-testid="date-separator">
                    <span>{it.label}</span>
                  </li>
                );
              const m = it.message;
              if (m.user === null)
                return (
                  <li key={it.key} className="msg-system" data-testid="chat-message" data-message-id={m.id} data-system="true">
                    {m.message}
                  </li>
                );
              const mine = m.user.id === myId;
              return (
                <li
                  key={it.key}
                  className={`msg${mine ? ' msg-mine' : ''}${it.runStart ? ' run-start' : ''}`}
                  data-testid="chat-message"
                  data-message-id={m.id}
                  data-user-id={m.user.id}
                  data-pending="false"
                  data-show-name={it.showName ? 'true' : 'false'}
                  data-show-time={it.showTime ? 'true' : 'false'}
                >
                  {it.showName && <span className="msg-user">{m.user.username}</span>}
                  <span className="msg-row">
                    <span className="bubble">
                      <MessageText text={m.message} />
                    </span>
                    <span className="msg-meta">
                      {it.showTime ? (
                        <time dateTime={m.created_at} title={fullTime(m.created_at)}>
                          {clockTime(m.created_at)}
                        </time>
                      ) : (
                        <time className="sr-only" dateTime={m.created_at}>
                          {clockTime(m.created_at)}
                        </time>
                      )}
                      {!mine && reporting !== m.id && (
                        <button
                          type="button"
                          className="linkish msg-report"
                          onClick={() => setReporting(m.id)}
                          aria-label={`${m.user.username}님의 메시지 신고`}
                          data-testid="message-report-open"
                        >
                          신고
                        </button>
                      )}
                    </span>
                  </span>
                  {!mine && reporting === m.id && (
                    <ReportBlock target="message" id={m.id} writerId={m.user.id} onClose={() => setReporting(null)} />
                  )}
                </li>
              );
            })}
            {pending.map((p) => (
              <li
                key={p.id}
                className={`msg msg-mine msg-pending${p.status === 'failed' ? ' msg-failed' : ''}`}
                data-testid="chat-message"
                data-pending="true"
                data-status={p.status}
              >
                <span className="msg-row">
                  <span className="bubble">
                    <MessageText text={p.message} />
                  </span>
                  {p.status !== 'failed' && (
                    <span className="msg-meta">{p.status === 'queued' ? '연결되면 보낼게요' : '보내는 중…'}</span>
                  )}
                </span>
                {p.status === 'failed' && (
                  <span className="msg-failed-actions">
                    <span className="err" data-testid="send-failed">
                      {p.error ?? '전송 실패'}
                    </span>
                    <button type="button" className="btn btn-sm" onClick={() => retry(p.id)} disabled={stopped} data-testid="resend-button">
                      다시 보내기
                    </button>
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => discard(p.id)} data-testid="discard-button">
                      삭제
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
        </div>
      </div>
      {unseen && (
        <button type="button" className="new-pill" onClick={toBottom} data-testid="new-message-pill">
          새 메시지 ↓
        </button>
      )}
    </div>
  );
});
