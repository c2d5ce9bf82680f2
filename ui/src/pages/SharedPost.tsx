import { useEffect, useState } from 'react';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { Link } from '../lib/router';
import { withNext } from '../lib/next';
import { errorMessage } from '../lib/api';
import { timeLeft } from '../order/money';
import { ErrorPanel, Loading } from '../components/ui';

/** GET /api/post/detail/:id/preview/: all of a post that anyone may see. */
export interface PostPreview {
  id: number;
  title: string;
  dong: string;
  dong_name: string;
  store_name: string | null;
  order_at: string | null;
  is_compelete: boolean;
}

/**
 * A shared post link (/post/<id>/) opened signed out: what the post is —
 * title, dong, store, time left — and the way in (로그인 / 회원가입, both
 * returning here). Nothing else of the post reaches a visitor.
 */
export function SharedPost({ id }: { id: string }) {
  const here = `/post/${id}/`;
  const { data: post, error, loading, reload } = useApi<PostPreview>(`/api/post/detail/${id}/preview/`);
  useDocumentTitle(post ? post.title : '함께 주문해요');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(t);
  }, []);

  const ways = (
    <div className="shared-post-actions">
      <Link className="btn btn-primary btn-lg" to={withNext('/register/', here)} data-testid="shared-register">
        회원가입
      </Link>
      <Link className="btn btn-lg" to={withNext('/login/', here)} data-testid="shared-login">
        로그인
      </Link>
    </div>
  );

  if (loading) return <Loading />;
  if (error && error.status !== 404) return <ErrorPanel message={errorMessage(error)} onRetry={reload} />;
  if (!post)
    return (
      <section className="panel narrow shared-post" data-testid="shared-post-missing">
        <h1>글을 찾을 수 없어요</h1>
        <p className="muted">지워졌거나 볼 수 없는 글이에요. 밀버디에서 우리 동네의 다른 모집 글을 찾아보세요.</p>
        {ways}
      </section>
    );

  const left = post.is_compelete ? '' : timeLeft(post.order_at, now);
  return (
    <section className="panel narrow shared-post" data-testid="shared-post">
      <p className="shared-post-kicker">밀버디 · 이웃과 함께 배달 주문</p>
      <h1 data-testid="shared-title">{post.title}</h1>
      <dl className="shared-post-facts">
        {post.dong && (
          <div>
            <dt>동네</dt>
            <dd data-testid="shared-dong" title={post.dong_name}>
              {post.dong}
            </dd>
          </div>
        )}
        {post.store_name && (
          <div>
            <dt>가게</dt>
            <dd data-testid="shared-store">{post.store_name}</dd>
          </div>
        )}
        <div>
          <dt>모집</dt>
          <dd data-testid="shared-left">{post.is_compelete ? '모집 완료' : left ? `모집 중 · ${left}` : '모집 중'}</dd>
        </div>
      </dl>
      <p className="muted">로그인하면 내용을 보고 참여할 수 있어요. 처음이라면 가입하고 바로 이 글로 돌아와요.</p>
      {ways}
    </section>
  );
}
