import { useEffect, useRef, useState } from 'react';
import { useAuth, useUser } from '../auth';
import { path } from '../lib/api';
import { useDocumentTitle } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { Composer } from '../chat/Composer';
import { MemberPanel } from '../chat/MemberPanel';
import { MessageList } from '../chat/MessageList';
import { useBlockedIds, withoutBlocked } from '../lib/moderation';
import { CONN_LABEL, httpNotice, Notice } from '../chat/state';
import { useChat } from '../chat/useChat';
import { ErrorPanel, Loading } from '../components/ui';
import { OrderPanel } from '../order/OrderPanel';
import { useMyChats } from '../chats/MyChats';
import { chatsApi } from '../lib/api';
import { usePageVisible } from '../lib/visible';
import { PushOffer } from '../push/PushOffer';

/** 🔔/🔕 in the room header: mute this room's message notifications (order steps still come). */
function MuteToggle({ roomId }: { roomId: number }) {
  const chats = useMyChats();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const item = chats?.state.rooms.find((r) => r.id === roomId);
  const muted = !!item?.muted;
  return (
    <button
      type="button"
      className="btn btn-sm btn-icon"
      aria-pressed={muted}
      aria-label={muted ? '이 방 알림 켜기' : '이 방 알림 끄기'}
      title={err || (muted ? '알림이 꺼져 있어요. 누르면 다시 켜요' : '이 방의 메시지 알림 끄기')}
      disabled={busy || !chats?.state.loaded}
      data-testid="mute-toggle"
      data-muted={muted ? 'true' : 'false'}
      onClick={async () => {
        setBusy(true);
        setErr('');
        try {
          await chatsApi.mute(roomId, !muted);
          chats?.setMuted(roomId, !muted);
        } catch {
          setErr('알림 설정을 바꾸지 못했어요');
        } finally {
          setBusy(false);
        }
      }}
    >
      <span aria-hidden="true">{muted ? '🔕' : '🔔'}</span>
    </button>
  );
}

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
        <Link className="btn btn-sm" to={postId ? path`/post/${postId}/` : '/'}>
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
  const blocked = useBlockedIds(); // live frames of blocked users (moderation.ts)
  const { state, room, loadError, members } = chat;
  useDocumentTitle(room ? `채팅 · ${room.title}` : '채팅');
  const [showMembers, setShowMembers] = useState(false);
  const stick = useRef(true);

  // Read markers: while this tab shows the room, the newest message counts
  // as seen (here at once, on the server through the socket or POST).
  const chats = useMyChats();
  const setViewing = chats?.setViewing;
  const markListRead = chats?.markRead;
  const visible = usePageVisible();
  const roomNum = Number(id);
  const stopped0 = state.conn === 'stopped';
  const newest = state.messages.length ? state.messages[state.messages.length - 1].id : 0;
  const sentRead = useRef(0);
  const { markRead } = chat;
  useEffect(() => {
    if (!setViewing || stopped0) return;
    setViewing(visible ? roomNum : null);
    return () => setViewing(null);
  }, [setViewing, visible, roomNum, stopped0]);
  useEffect(() => {
    if (!visible || stopped0 || !state.loaded || newest <= sentRead.current) return;
    sentRead.current = newest;
    markRead(newest);
    markListRead?.(roomNum);
  }, [visible, stopped0, state.loaded, newest, markRead, markListRead, roomNum]);

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

  const stopped = state.conn === 'stopped';

  return (
    <div className="chat">
      {/* On phones this is the only bar at the top: the site header folds away in a room (Layout). */}
      <header className="chat-head" data-testid="chat-head">
        <Link to="/chats/" className="chat-back" aria-label="채팅 목록으로" data-testid="chat-back">
          <span aria-hidden="true">←</span>
        </Link>
        <Link to={path`/post/${room.post_id}/`} className="chat-title" title="모집 글 보기" data-testid="chat-title">
          <h1>{room.title}</h1>
          <span className="chat-sub">
            {room.join_number}/{room.target_number}명 ·{' '}
            {room.is_compelete || (state.order && state.order.state !== 'recruiting') ? '모집 완료' : '모집 중'}
            <span className="sr-only"> · 모집 글 보기</span>
          </span>
        </Link>
        <span className={`conn conn-${state.conn}`} role="status" data-testid="connection-state" data-state={state.conn}>
          {CONN_LABEL[state.conn]}
        </span>
        <MuteToggle roomId={room.id} />
        <button
          type="button"
          className="btn btn-sm members-toggle"
          aria-expanded={showMembers}
          aria-controls="chat-members"
          aria-label={members ? `참여자 ${members.length}` : '참여자'}
          onClick={() => setShowMembers((v) => !v)}
          data-testid="members-toggle"
        >
          <span aria-hidden="true">👥</span> {members ? members.length : ''}
        </button>
      </header>

      {(state.conn === 'down' || state.conn === 'reconnecting') && (
        <div className="conn-bar" data-testid="conn-bar">
          <span>{state.conn === 'down' ? '연결이 끊겼어요. 다시 연결하고 있어요.' : '다시 연결하고 있어요.'}</span>
          <button type="button" className="btn btn-sm" onClick={chat.reconnectNow} data-testid="reconnect-now">
            지금 다시 연결
          </button>
        </div>
      )}

      {state.notice && <NoticeBanner notice={state.notice} postId={room.post_id} />}
      {!stopped && <PushOffer roomId={id} />}

      {state.order && (
        <OrderPanel roomId={id} order={state.order} myId={me.id} organiserId={room.writer.id} staff={me.is_staff} act={chat.orderAct} />
      )}

      <div className="chat-body">
        <MemberPanel
          roomId={id}
          room={room}
          myId={me.id}
          members={members}
          membersError={chat.membersError}
          stopped={stopped}
          open={showMembers}
          reloadMembers={chat.loadMembers}
        />
        <MessageList
          messages={withoutBlocked(state.messages, blocked)}
          pending={state.pending}
          myId={me.id}
          hasMore={state.hasMore}
          stopped={stopped}
          olderBusy={chat.olderBusy}
          olderError={chat.olderError}
          loadOlder={chat.loadOlder}
          retry={chat.retry}
          discard={chat.discard}
          stick={stick}
        />
      </div>

      <Composer
        stopped={stopped}
        serverError={state.error}
        send={(text) => {
          stick.current = true;
          chat.send(text);
        }}
      />
    </div>
  );
}
