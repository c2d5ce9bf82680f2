import { lazy, Suspense, useCallback, useState } from 'react';
import { useUser } from '../auth';
import { api, errorMessage, path } from '../lib/api';
import { useClock } from '../lib/clock';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import type { Post } from '../lib/types';
import { ErrorPanel, Loading } from '../components/ui';
import { PostMeta, StatusBadge } from '../components/PostBits';
import { NotFound } from './NotFound';
import { ReportBlock } from '../components/ReportBlock';
import { timeLeft } from '../order/money';
import { PostOrderInfo } from '../order/PostOrderInfo';
import { offerPushAfterJoin } from '../push/push';
import { ShareButton } from '../components/ShareButton';

// The sheet (and the Sheet it is built on) loads on the first tap of 참여하기,
// outside the first load's budget.
const JoinSheet = lazy(() => import('../order/JoinSheet').then((m) => ({ default: m.JoinSheet })));

export function PostDetail({ id }: { id: string }) {
  const user = useUser();
  const { data: post, error, loading, reload, setData } = useApi<Post>(path`/api/post/detail/${id}/`);
  useDocumentTitle(post?.title ?? '모집 글');
  const [busy, setBusy] = useState<'' | 'join' | 'toggle' | 'delete'>('');
  const [actionError, setActionError] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [joinSheet, setJoinSheet] = useState(false);
  const closeJoinSheet = useCallback(() => setJoinSheet(false), []);
  const now = useClock();

  if (loading && !post) return <Loading label="글을 불러오는 중" />;
  if (error?.status === 404) return <NotFound message="삭제되었거나 없는 글이에요." />;
  if (error || !post) return <ErrorPanel message={error?.message ?? '글을 불러오지 못했어요.'} onRetry={reload} />;

  const isWriter = post.writer.id === user.id;
  const full = post.join_number >= post.target_number;
  const left = post.order_state === 'recruiting' ? timeLeft(post.order_at, now) : '';

  async function join() {
    if (!post) return;
    setBusy('join');
    setActionError('');
    try {
      await api(path`/api/chat/${post.chat_id}/`, { method: 'POST' });
      offerPushAfterJoin(post.chat_id);
      navigate(path`/chat/${post.chat_id}/`);
    } catch (e) {
      // The post changed under us (full, closed, or we were sent out):
      // say why and show its count and state as they are now.
      setActionError(errorMessage(e));
      setBusy('');
      setJoinSheet(false);
      reload();
    }
  }

  async function toggle() {
    if (!post) return;
    setBusy('toggle');
    setActionError('');
    try {
      const want = !post.is_compelete;
      const p = await api<Post>(path`/api/post/detail/${post.id}/edit/`, {
        method: 'POST',
        body: { is_compelete: want },
      });
      setData(p);
      if (!want && p.is_compelete) setActionError('인원이 가득 차서 다시 모집할 수 없어요. 모집 인원을 늘려 주세요.');
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusy('');
    }
  }

  async function remove() {
    if (!post) return;
    setBusy('delete');
    setActionError('');
    try {
      await api(path`/api/post/detail/${post.id}/delete/`, { method: 'POST' });
      navigate('/', { replace: true });
    } catch (e) {
      setActionError(errorMessage(e));
      setBusy('');
      setConfirmDelete(false);
    }
  }

  return (
    <article className="panel post-detail" data-testid="post-detail" data-post-id={post.id}>
      <p className="back">
        <Link to="/" className="back-link" data-testid="back-to-board">
          ← 게시판
        </Link>
      </p>
      <div className="post-detail-head">
        <StatusBadge complete={post.is_compelete} />
        <h1>{post.title}</h1>
      </div>
      <p className="muted">
        <PostMeta post={post} place={post.neighborhood?.name ?? ''} now={now} showWriter />
      </p>
      <ShareButton path={`/post/${post.id}/`} title={post.title} />
      <div className="progress" aria-hidden="true">
        {Array.from({ length: post.target_number }, (_, i) => (
          <span key={i} className={i < post.join_number ? 'on' : undefined} />
        ))}
      </div>
      <PostOrderInfo post={post} />
      <div className="post-content">{post.content}</div>

      {isWriter && (
        <section className="writer-tools" aria-label="글쓴이 메뉴">
          <Link className="btn" to={`/post/${post.id}/edit/`} data-testid="edit-button">
            수정
          </Link>
          <button
            type="button"
            className="btn"
            onClick={toggle}
            disabled={busy !== '' || (post.is_compelete && full)}
            data-testid="toggle-complete-button"
            title={post.is_compelete && full ? '인원이 가득 찬 글은 다시 모집할 수 없어요' : undefined}
          >
            {busy === 'toggle' ? '바꾸는 중…' : post.is_compelete ? '다시 모집' : '모집 완료'}
          </button>
          {!confirmDelete ? (
            <button
              type="button"
              className="btn btn-danger-ghost"
              onClick={() => setConfirmDelete(true)}
              disabled={busy !== ''}
              data-testid="delete-button"
            >
              삭제
            </button>
          ) : (
            <div className="confirm" role="alertdialog" aria-label="글 삭제 확인">
              <span>이 글을 삭제할까요? 되돌릴 수 없어요.</span>
              <button
                type="button"
                className="btn btn-danger"
                onClick={remove}
                disabled={busy !== ''}
                data-testid="delete-confirm-button"
                autoFocus
              >
                {busy === 'delete' ? '삭제하는 중…' : '삭제'}
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setConfirmDelete(false)}>
                취소
              </button>
            </div>
          )}
        </section>
      )}
      {!isWriter && <ReportBlock target="post" id={post.id} writerId={post.writer.id} />}

      <div className="action-bar" data-testid="post-action-bar">
        {actionError && (
          <div className="alert alert-error" role="alert" data-testid="post-action-error">
            {actionError}
          </div>
        )}
        <div className="action-bar-row">
          <span className="action-bar-info" data-testid="action-bar-info">
            <strong>
              👥 {post.join_number}/{post.target_number}명
            </strong>
            {left && <span className="muted"> · {left}</span>}
          </span>
          {post.chat_id == null ? (
            <span className="muted">채팅방이 삭제되었어요.</span>
          ) : post.is_joined ? (
            <Link className="btn btn-primary" to={`/chat/${post.chat_id}/`} data-testid="open-chat-button">
              💬 채팅방 열기
            </Link>
          ) : post.is_banned ? (
            <span className="join-refused" data-testid="join-refused">
              이 모집에는 참여할 수 없어요
            </span>
          ) : (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => setJoinSheet(true)}
              disabled={busy !== '' || post.is_compelete}
              aria-haspopup="dialog"
              data-testid="join-button"
            >
              {busy === 'join' ? '참여하는 중…' : post.is_compelete ? '모집이 끝났어요' : '🙋 참여하기'}
            </button>
          )}
        </div>
      </div>
      {joinSheet && (
        <Suspense fallback={null}>
          <JoinSheet post={post} busy={busy === 'join'} onJoin={join} onClose={closeJoinSheet} />
        </Suspense>
      )}
    </article>
  );
}
