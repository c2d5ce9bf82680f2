import { FormEvent, KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useAuth, useUser } from '../auth';
import { api, errorMessage } from '../lib/api';
import { MESSAGE_MAX } from '../lib/constants';
import { clockTime, fullTime } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { charCount, validateMessage } from '../lib/validation';
import { CONN_LABEL, httpNotice, Notice } from '../chat/state';
import { useChat } from '../chat/useChat';
import { ErrorPanel, Loading } from '../components/ui';

function NoticeBanner({ notice, postId }: { notice: Notice; postId?: number }) {
  const { setUser } = useAuth();
  return (
    <div className="notice" role="alert" data-testid="chat-notice" data-code={notice.code}>
      <p>{notice.text}</p>
      {notice.action === 'board' && (
        <Link className="btn btn-sm" to="/">
          게시판으로 돌아가기
        </Link>
      )}
      {notice.action === 'post' && (
        <Link className="btn btn-sm" to={postId ? `/post/${postId}/` : '/'}>
          글로 돌아가기
        </Link>
      )}
      {notice.action === 'login' && (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => {
            setUser(null);
            navigate(`/login/?next=${encodeURIComponent(window.location.pathname)}`);
          }}
        >
          다시 로그인
        </button>
      )}
    </div>
  );
}

export function Chat({ id }: { id: string }) {
  const me = useUser();
  const chat = useChat(id, me.id);
  const { state, room, loadError, members } = chat;
  useDocumentTitle(room ? `채팅 · ${room.title}` : '채팅');
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState('');
  const [showMembers, setShowMembers] = useState(false);
  const [confirmBan, setConfirmBan] = useState<number | null>(null);
  const [memberBusy, setMemberBusy] = useState(false);
  const [memberError, setMemberError] = useState('');
  const [confirmLeave, setConfirmLeave] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const prevFirst = useRef<{ id: number; height: number } | null>(null);

  const firstId = state.messages[0]?.id;
  const count = state.messages.length + state.pending.length;

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
  }, [count, firstId]);

  useEffect(() => {
    if (!state.error) return;
    const t = window.setTimeout(chat.clearError, 6000);
    return () => window.clearTimeout(t);
  }, [state.error, chat.clearError]);

  if (loadError) {
    const n = httpNotice(loadError.status);
    if (loadError.status === 403 || loadError.status === 404)
      return (
        <section className="panel center" data-testid="chat-load-error">
          <h1>{n?.text}</h1>
          <p>
            <Link className="btn btn-primary" to="/">
              게시판으로 돌아가기
            </Link>
          </p>
        </section>
      );
    return <ErrorPanel title="채팅방을 불러오지 못했어요" message={loadError.message} onRetry={() => window.location.reload()} />;
  }
  if (!room || !state.loaded) return <Loading label="채팅방을 불러오는 중" />;

  const isWriter = room.writer.id === me.id;
  const stopped = state.conn === 'stopped';
  const len = charCount(text.trim());
  const over = len > MESSAGE_MAX;

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const err = validateMessage(text);
    if (err) {
      setInputError(err);
      return;
    }
    setInputError('');
    stick.current = true;
    chat.send(text);
    setText('');
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    // Korean IME: Enter while composing only confirms the syllable.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  }

  async function leave() {
    setMemberBusy(true);
    setMemberError('');
    try {
      await api(`/api/chat/${id}/user/`, { method: 'DELETE' });
      navigate(room ? `/post/${room.post_id}/` : '/', { replace: true });
    } catch (e) {
      setMemberError(errorMessage(e));
      setMemberBusy(false);
    }
  }

  async function ban(userId: number) {
    setMemberBusy(true);
    setMemberError('');
    try {
      await api(`/api/chat/${id}/user/ban/`, { method: 'POST', body: { target_user_id: userId } });
      setConfirmBan(null);
      await chat.loadMembers();
    } catch (e) {
      setMemberError(errorMessage(e));
    } finally {
      setMemberBusy(false);
    }
  }

  return (
    <div className="chat">
      <header className="chat-head">
        <Link to={`/post/${room.post_id}/`} className="chat-back" aria-label="글로 돌아가기">
          ←
        </Link>
        <div className="chat-title">
          <h1>{room.title}</h1>
          <span className="muted small">
            {room.join_number}/{room.target_number}명 · {room.is_compelete ? '모집완료' : '모집중'}
          </span>
        </div>
        <span className={`conn conn-${state.conn}`} role="status" data-testid="connection-state" data-state={state.conn}>
          {CONN_LABEL[state.conn]}
        </span>
        <button
          type="button"
          className="btn btn-sm members-toggle"
          aria-expanded={showMembers}
          aria-controls="chat-members"
          onClick={() => setShowMembers((v) => !v)}
          data-testid="members-toggle"
        >
          참여자 {members ? members.length : ''}
        </button>
      </header>

      {state.notice && <NoticeBanner notice={state.notice} postId={room.post_id} />}

      <div className="chat-body">
        <aside id="chat-members" className={`members${showMembers ? ' open' : ''}`} aria-label="참여자" data-testid="member-list">
          <h2>참여자</h2>
          {chat.membersError && <p className="field-errors">{chat.membersError}</p>}
          {!members ? (
            <Loading label="참여자를 불러오는 중" />
          ) : (
            <ul>
              {members.map((m) => (
                <li key={m.id} data-testid="member" data-user-id={m.id}>
                  <span>
                    {m.username}
                    {m.id === room.writer.id && <span className="tag">방장</span>}
                    {m.id === me.id && <span className="tag tag-me">나</span>}
                  </span>
                  {isWriter && !stopped && m.id !== me.id && (
                    confirmBan === m.id ? (
                      <span className="row">
                        <button
                          type="button"
                          className="btn btn-danger btn-sm"
                          onClick={() => ban(m.id)}
                          disabled={memberBusy}
                          data-testid={`ban-confirm-${m.id}`}
                        >
                          강퇴 확인
                        </button>
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmBan(null)}>
                          취소
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-danger-ghost btn-sm"
                        onClick={() => setConfirmBan(m.id)}
                        disabled={memberBusy}
                        aria-label={`${m.username} 강퇴`}
                        data-testid={`ban-button-${m.id}`}
                      >
                        강퇴
                      </button>
                    )
                  )}
                </li>
              ))}
            </ul>
          )}
          {memberError && (
            <p className="field-errors" role="alert">
              {memberError}
            </p>
          )}
          {!isWriter &&
            !stopped &&
            (confirmLeave ? (
              <div className="confirm">
                <span>채팅방에서 나갈까요?</span>
                <button type="button" className="btn btn-danger btn-sm" onClick={leave} disabled={memberBusy} data-testid="leave-confirm-button">
                  나가기
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmLeave(false)}>
                  취소
                </button>
              </div>
            ) : (
              <button type="button" className="btn btn-danger-ghost btn-block" onClick={() => setConfirmLeave(true)} data-testid="leave-button">
                채팅방 나가기
              </button>
            ))}
        </aside>

        <div
          className="chat-log"
          ref={logRef}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          }}
        >
          {state.hasMore && (
            <div className="center">
              <button type="button" className="btn btn-ghost btn-sm" onClick={chat.loadOlder} disabled={chat.olderBusy} data-testid="load-older">
                {chat.olderBusy ? '불러오는 중…' : '이전 메시지'}
              </button>
              {chat.olderError && <p className="field-errors">{chat.olderError}</p>}
            </div>
          )}
          <ol className="messages" role="log" aria-live="polite" aria-label="채팅 메시지" data-testid="message-list">
            {state.messages.length === 0 && state.pending.length === 0 && (
              <li className="msg-system muted">아직 메시지가 없어요. 먼저 인사해 보세요!</li>
            )}
            {state.messages.map((m) =>
              m.user === null ? (
                <li key={m.id} className="msg-system" data-testid="chat-message" data-message-id={m.id} data-system="true">
                  {m.message}
                </li>
              ) : (
                <li
                  key={m.id}
                  className={`msg${m.user.id === me.id ? ' msg-mine' : ''}`}
                  data-testid="chat-message"
                  data-message-id={m.id}
                  data-user-id={m.user.id}
                  data-pending="false"
                >
                  {m.user.id !== me.id && <span className="msg-user">{m.user.username}</span>}
                  <span className="bubble">{m.message}</span>
                  <time className="msg-time" dateTime={m.created_at} title={fullTime(m.created_at)}>
                    {clockTime(m.created_at)}
                  </time>
                </li>
              ),
            )}
            {state.pending.map((p) => (
              <li
                key={p.tempId}
                className={`msg msg-mine msg-pending${p.status === 'failed' ? ' msg-failed' : ''}`}
                data-testid="chat-message"
                data-pending="true"
                data-status={p.status}
              >
                <span className="bubble">{p.message}</span>
                {p.status === 'failed' ? (
                  <span className="msg-time">
                    <span className="err">{p.error ?? '전송 실패'}</span>{' '}
                    <button type="button" className="linkish" onClick={() => chat.retry(p.tempId)} disabled={stopped}>
                      다시 보내기
                    </button>{' '}
                    <button type="button" className="linkish" onClick={() => chat.discard(p.tempId)}>
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
      </div>

      <form className="composer" onSubmit={submit}>
        {(state.error || inputError) && (
          <p className="field-errors composer-error" role="alert" data-testid="chat-error">
            {inputError || state.error}
          </p>
        )}
        <label htmlFor="chat-input" className="sr-only">
          메시지
        </label>
        <textarea
          id="chat-input"
          rows={1}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (inputError) setInputError('');
          }}
          onKeyDown={onKey}
          placeholder={stopped ? '연결이 끊겼어요' : '메시지를 입력하세요'}
          disabled={stopped}
          aria-describedby="chat-counter"
          aria-invalid={over || undefined}
          data-testid="message-input"
        />
        <span id="chat-counter" className={`counter${over ? ' over' : ''}`} data-testid="message-counter" aria-live="off">
          {len}/{MESSAGE_MAX}
        </span>
        <button type="submit" className="btn btn-primary" disabled={stopped || over || len === 0} data-testid="send-button">
          보내기
        </button>
      </form>
    </div>
  );
}
