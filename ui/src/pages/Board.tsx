import { useUser } from '../auth';
import { path, qs } from '../lib/api';
import { CATEGORIES, categoryLabel, RANGES } from '../lib/constants';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { paginatorModel } from '../lib/paginator';
import { Link, navigate, useSearchParams } from '../lib/router';
import type { PostList } from '../lib/types';
import { ErrorPanel, Loading } from '../components/ui';
import { PostMeta, StatusBadge } from '../components/PostBits';
import { WeatherPanel } from '../components/WeatherPanel';
import { OrderCardInfo } from '../order/OrderBits';
import { useNow } from '../order/useNow';

function parseRange(v: string | null, fallback: number): number {
  const n = Number(v);
  return v !== null && [0, 1, 2].includes(n) ? n : fallback;
}

export function Board() {
  const user = useUser();
  const params = useSearchParams();
  const category = params.get('category') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const range = parseRange(params.get('range'), [0, 1, 2].includes(user.range) ? user.range : 0);
  // 모집 중만 is on unless the address says all=1 (the server's ?recruiting=1 filter).
  const all = params.get('all') === '1';
  const now = useNow(15000);
  useDocumentTitle(user.neighborhood?.name ?? user.address);

  const listPath = `/api/post/${qs({ category, page, range, recruiting: all ? null : 1 })}`;
  const { data, error, loading, reload } = useApi<PostList>(listPath);

  function go(next: { category?: string; page?: number; range?: number; all?: boolean }) {
    const c = next.category ?? category;
    const r = next.range ?? range;
    const p = next.page ?? 1;
    const a = next.all ?? all;
    navigate(`/${qs({ category: c, range: r === user.range ? null : r, all: a ? 1 : null, page: p === 1 ? null : p })}`);
  }

  const model = paginatorModel(data?.paginator);
  const hoodName = user.neighborhood?.name ?? user.address;

  return (
    <div className="board">
      <div className="board-head">
        <div>
          <h1 className="board-title">{hoodName}</h1>
          <p className="muted">이웃의 함께 주문 모집 글</p>
        </div>
        <Link className="btn btn-primary" to="/write/" data-testid="write-button">
          ✏️ 모집 글 쓰기
        </Link>
      </div>

      <WeatherPanel />

      <div className="filters">
        <fieldset className="chips" aria-label="카테고리">
          <legend className="sr-only">카테고리</legend>
          {['', ...CATEGORIES].map((c) => (
            <button
              key={c || 'all'}
              type="button"
              className="chip"
              aria-pressed={c === category}
              onClick={() => go({ category: c })}
              data-testid={`category-${c || 'all'}`}
            >
              {c ? categoryLabel(c) : '전체'}
            </button>
          ))}
        </fieldset>
        <label className="range-select">
          <span>범위</span>
          <select
            value={range}
            onChange={(e) => go({ range: Number(e.target.value) })}
            data-testid="range-select"
            aria-label="게시글을 볼 범위"
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="toggle" data-testid="recruiting-toggle">
          <input type="checkbox" checked={!all} onChange={(e) => go({ all: !e.target.checked })} />
          <span>모집 중만</span>
        </label>
      </div>

      {loading && !data && <Loading label="모집 글을 불러오는 중" />}
      {error && <ErrorPanel title="모집 글을 불러오지 못했어요" message={error.message} onRetry={reload} />}
      {data && !error && (
        <div className={loading ? 'is-reloading' : undefined} aria-busy={loading}>
          {data.posts.length === 0 ? (
            <div className="empty panel" data-testid="post-list-empty">
              <p>
                {all ? '' : '지금 모집 중인 '}
                {category ? `${categoryLabel(category)} 모집 글이 아직 없어요.` : all ? '아직 모집 글이 없어요.' : '글이 없어요.'}
              </p>
              {!all && (
                <button type="button" className="btn btn-ghost" onClick={() => go({ all: true })}>
                  지난 글도 보기
                </button>
              )}
              <Link className="btn btn-primary" to="/write/">
                첫 모집 글 쓰기
              </Link>
            </div>
          ) : (
            <ul className="post-list" data-testid="post-list">
              {data.posts.map((p) => (
                <li key={p.id} data-testid="post-item" data-post-id={p.id}>
                  <Link to={path`/post/${p.id}/`} className="post-card">
                    <span className="post-card-top">
                      <StatusBadge complete={p.is_compelete} />
                      <span className="post-title">{p.title}</span>
                    </span>
                    <OrderCardInfo post={p} now={now} mine={p.writer.id === user.id || p.is_joined === true} />
                    <PostMeta post={p} />
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {model.length > 0 && (
            <nav className="pager" aria-label="페이지" data-testid="paginator">
              {model.map((it) => (
                <button
                  key={`${it.kind}-${it.page}`}
                  type="button"
                  className={`pager-btn${it.kind !== 'page' ? ' pager-jump' : ''}`}
                  aria-label={it.ariaLabel}
                  aria-current={it.current ? 'page' : undefined}
                  onClick={() => !it.current && go({ page: it.page })}
                  data-testid={`page-${it.kind === 'page' ? it.page : it.kind}`}
                >
                  {it.label}
                </button>
              ))}
            </nav>
          )}
        </div>
      )}
    </div>
  );
}
