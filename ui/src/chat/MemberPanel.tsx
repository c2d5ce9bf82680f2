import { useState } from 'react';
import { api, errorMessage, path } from '../lib/api';
import { navigate } from '../lib/router';
import type { ChatRoom, UserRef } from '../lib/types';
import { Loading } from '../components/ui';

interface Props {
  roomId: string;
  room: ChatRoom;
  myId: number;
  members: UserRef[] | null;
  membersError: string;
  /** the chat has stopped (kicked, deleted, logged out): no more actions */
  stopped: boolean;
  /** shown on narrow screens (the header's 참여자 toggle) */
  open: boolean;
  reloadMembers: () => Promise<void>;
}

/** The member list with the writer's ban and a member's leave. */
export function MemberPanel({ roomId, room, myId, members, membersError, stopped, open, reloadMembers }: Props) {
  const [confirmBan, setConfirmBan] = useState<number | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const isWriter = room.writer.id === myId;

  async function leave() {
    setBusy(true);
    setError('');
    try {
      await api(path`/api/chat/${roomId}/user/`, { method: 'DELETE' });
      navigate(path`/post/${room.post_id}/`, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  async function ban(userId: number) {
    setBusy(true);
    setError('');
    try {
      await api(path`/api/chat/${roomId}/user/ban/`, { method: 'POST', body: { target_user_id: userId } });
      setConfirmBan(null);
      await reloadMembers();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside id="chat-members" className={`members${open ? ' open' : ''}`} aria-label="참여자" data-testid="member-list">
      <h2>참여자</h2>
      {membersError && <p className="field-errors">{membersError}</p>}
      {!members ? (
        <Loading label="참여자를 불러오는 중" />
      ) : (
        <ul>
          {members.map((m) => (
            <li key={m.id} data-testid="member" data-user-id={m.id}>
              <span>
                {m.username}
                {m.id === room.writer.id && <span className="tag">방장</span>}
                {m.id === myId && <span className="tag tag-me">나</span>}
              </span>
              {isWriter && !stopped && m.id !== myId && (
                confirmBan === m.id ? (
                  <span className="row">
                    <span className="small">내보낼까요? 이 모집에 다시 들어올 수 없어요.</span>
                    <button
                      type="button"
                      className="btn btn-danger btn-sm"
                      onClick={() => ban(m.id)}
                      disabled={busy}
                      data-testid={`ban-confirm-${m.id}`}
                    >
                      내보내기
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
                    disabled={busy}
                    aria-label={`${m.username}님 내보내기`}
                    data-testid={`ban-button-${m.id}`}
                  >
                    내보내기
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="field-errors" role="alert">
          {error}
        </p>
      )}
      {!isWriter &&
        !stopped &&
        (confirmLeave ? (
          <div className="confirm">
            <span>채팅방에서 나갈까요?</span>
            <button type="button" className="btn btn-danger btn-sm" onClick={leave} disabled={busy} data-testid="leave-confirm-button">
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
  );
}
