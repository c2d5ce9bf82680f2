import { MutableRefObject, useLayoutEffect, useRef, useState } from 'react';
import { ReportBlock } from '../components/ReportBlock';
import { clockTime, fullTime } from '../lib/format';
import type { ChatMessage } from '../lib/types';
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

/** The scrolling log: older-page button, stored messages, then my pending ones. */
export function MessageList({ messages, pending, myId, hasMore, stopped, olderBusy, olderError, loadOlder, retry, discard, stick }: Props) {
  const logRef = useRef<HTMLDivElement>(null);
  const [reporting, setReporting] = useState<number | null>(null); // the message whose report form is open
  const prevFirst = useRef<{ id: number; height: number } | null>(null);
  const firstId = messages[0]?.id;
  const count = messages.length + pending.length;

  // Keep the view pinned to the bottom for new messages; keep position when
  // older messages are prepended.
  useLayoutEffect(() => {
    const el = logRef.current;
    if (!el) return;
    const pf = prevFirst.current;
    if (pf && firstId !== undefined && firstId < pf.id) {
      el.scrollTop += el.scrollHeight - pf.height;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    prevFirst.current = firstId !== undefined ? { id: firstId, height: el.scrollHeight } : null;
  }, [count, firstId, stick]);

  return (
    <div
      className="chat-log"
      ref={logRef}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
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
      <ol className="messages" role="log" aria-live="polite" aria-label="채팅 메시지" data-testid="message-list">
        {messages.length === 0 && pending.length === 0 && (
          <li className="msg-system muted">아직 메시지가 없어요. 먼저 인사해 보세요!</li>
        )}
        {messages.map((m) =>
          m.user === null ? (
            <li key={m.id} className="msg-system" data-testid="chat-message" data-message-id={m.id} data-system="true">
              {m.message}
            </li>
          ) : (
            <li
              key={m.id}
              className={`msg${m.user.id === myId ? ' msg-mine' : ''}`}
              data-testid="chat-message"
              data-message-id={m.id}
              data-user-id={m.user.id}
              data-pending="false"
            >
              {m.user.id !== myId && <span className="msg-user">{m.user.username}</span>}
              <span className="bubble">{m.message}</span>
              <span className="msg-time">
                <time dateTime={m.created_at} title={fullTime(m.created_at)}>
                  {clockTime(m.created_at)}
                </time>
                {m.user.id !== myId && reporting !== m.id && (
                  <>
                    {' · '}
                    <button
                      type="button"
                      className="linkish"
                      onClick={() => setReporting(m.id)}
                      aria-label={`${m.user.username}님의 메시지 신고`}
                      data-testid="message-report-open"
                    >
                      신고
                    </button>
                  </>
                )}
              </span>
              {m.user.id !== myId && reporting === m.id && (
                <ReportBlock target="message" id={m.id} writerId={m.user.id} onClose={() => setReporting(null)} />
              )}
            </li>
          ),
        )}
        {pending.map((p) => (
          <li
            key={p.id}
            className={`msg msg-mine msg-pending${p.status === 'failed' ? ' msg-failed' : ''}`}
            data-testid="chat-message"
            data-pending="true"
            data-status={p.status}
          >
            <span className="bubble">{p.message}</span>
            {p.status === 'failed' ? (
              <span className="msg-time">
                <span className="err">{p.error ?? '전송 실패'}</span>{' '}
                <button type="button" className="linkish" onClick={() => retry(p.id)} disabled={stopped}>
                  다시 보내기
                </button>{' '}
                <button type="button" className="linkish" onClick={() => discard(p.id)}>
                  삭제
                </button>
              </span>
            ) : (
              <span className="msg-time">{p.status === 'queued' ? '연결되면 보낼게요' : '보내는 중…'}</span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
