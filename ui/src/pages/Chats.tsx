import { useState } from 'react';
import { useUser } from '../auth';
import { path } from '../lib/api';
import { fullTime, relativeTime } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { Link } from '../lib/router';
import type { ChatListItem } from '../lib/types';
import { ErrorPanel, Loading } from '../components/ui';
import { STATE_LABEL } from '../order/money';
import { useNow } from '../order/useNow';
import { badgeText, unreadOf } from '../chats/list';
import { useMyChats } from '../chats/MyChats';

function stateLabel(r: ChatListItem): string {
  if (r.post.order_state) return STATE_LABEL[r.post.order_state] ?? '';
  return r.post.is_compelete ? '모집 완료' : '모집 중';
}

function Row({ r, unread, myId, now }: { r: ChatListItem; unread: number; myId: number; now: number }) {
  const m = r.last_message;
  const who = m ? (m.user === null ? '' : m.user.id === myId ? '나' : m.user.username) : '';
  return (
    <li>
      <Link
        to={path`/chat/${r.id}/`}
        className={`chatrow${unread > 0 ? ' chatrow-unread' : ''}`}
        data-testid="chat-row"
        data-room-id={r.id}
        data-unread={unread}
        data-muted={r.muted ? 'true' : 'false'}
      >
        <span className="chatrow-top">
          <span className="chatrow-title">{r.post.title}</span>
          {r.muted && (
            <span className="chatrow-muted" role="img" aria-label="알림 꺼짐" title="알림 꺼짐" data-testid="chat-row-muted">
              🔕
            </span>
          )}
          {m && (
            <time className="chatrow-time" dateTime={m.created_at} title={fullTime(m.created_at)}>
              {relativeTime(m.created_at, new Date(now))}
            </time>
          )}
        </span>
        <span className="chatrow-sub">
          <span className={`chatrow-state state-${r.post.order_state ?? (r.post.is_compelete ? 'done' : 'open')}`}>{stateLabel(r)}</span>
          {r.post.store_name && <span className="chatrow-store">{r.post.store_name}</span>}
        </span>
        <span className="chatrow-bottom">
          <span className="chatrow-last" data-testid="chat-row-last">
            {m ? (
              <>
                {who && <strong>{who}: </strong>}
                {m.message}
              </>
            ) : (
              <span className="muted">아직 메시지가 없어요</span>
            )}
          </span>
          {unread > 0 && (
            <span className={`count${r.muted ? ' count-muted' : ''}`} data-testid="chat-row-unread" aria-label={`읽지 않은 메시지 ${unread}개`}>
              {badgeText(unread)}
            </span>
          )}
        </span>
      </Link>
    </li>
  );
}

/** /chats/: the rooms I belong to, newest activity first, kept live by /ws/me/. */
export function Chats() {
  const me = useUser();
  const chats = useMyChats();
  const now = useNow(30000);
  const [more, setMore] = useState(false);
  useDocumentTitle('채팅');
  if (!chats) return <Loading />;
  const { state, error } = chats;

  if (!state.loaded && error) return <ErrorPanel title="채팅 목록을 불러오지 못했어요" message={error} onRetry={chats.reload} />;
  if (!state.loaded) return <Loading label="채팅 목록을 불러오는 중" />;

  return (
    <section className="chats" aria-labelledby="chats-title">
      <h1 id="chats-title">채팅</h1>
      {state.rooms.length === 0 ? (
        <div className="panel empty" data-testid="chats-empty">
          <p>아직 참여한 채팅방이 없어요.</p>
          <p className="muted">게시판에서 함께 주문할 글을 골라 참여하면 여기에 채팅방이 생겨요.</p>
          <p>
            <Link className="btn btn-primary" to="/">
              게시판에서 찾아보기
            </Link>
          </p>
        </div>
      ) : (
        <ul className="chatlist" data-testid="chat-list">
          {state.rooms.map((r) => (
            <Row key={r.id} r={r} unread={unreadOf(state, r)} myId={me.id} now={now} />
          ))}
        </ul>
      )}
      {error && <p className="field-errors">{error}</p>}
      {state.next && (
        <p className="center">
          <button
            type="button"
            className="btn btn-ghost"
            disabled={more}
            onClick={() => {
              setMore(true);
              chats.loadMore().finally(() => setMore(false));
            }}
            data-testid="chats-more"
          >
            {more ? '불러오는 중…' : '더 보기'}
          </button>
        </p>
      )}
    </section>
  );
}
