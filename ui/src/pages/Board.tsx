import { KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useUser } from '../auth';
import { api, isAbort, path, qs } from '../lib/api';
import { useClock } from '../lib/clock';
import { CATEGORIES, categoryLabel, RANGES } from '../lib/constants';
import { boardPlace } from '../lib/format';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { paginatorModel } from '../lib/paginator';
import { Link, navigate, useSearchParams } from '../lib/router';
import type { PostList } from '../lib/types';
import { ErrorPanel, Loading } from '../components/ui';
import { PostMeta, StatusBadge } from '../components/PostBits';
import { WeatherPanel } from '../components/WeatherPanel';
import { OrderCardInfo } from '../order/OrderBits';

function parseRange(v: string | null, fallback: number): number {
  const n = Number(v);
  return v !== null && [0, 1, 2].includes(n) ? n : fallback;
}

function rangeLabel(r: number): string {
  return RANGES.find((x) => x.value === r)?.label ?? '';
}

const CHIPS = ['', ...CATEGORIES];

/**
 * The category chips as a toolbar of toggle buttons: ONE tab stop (the
 * chosen chip), ←/→/Home/End move between chips, Enter or Space picks one.
 * Not a radio group, whose arrow keys would pick (and load a page) at each
 * step.
 */
function CategoryChips({ value, onPick }: { value: string; onPick: (c: string) => void }) {
  const chosen = Math.max(0, CHIPS.indexOf(value));
  const [stop, setStop] = useState(chosen);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => setStop(chosen), [chosen]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const last = CHIPS.length - 1;
    const next =
      e.key === 'ArrowRight' ? (stop === last ? 0 : stop + 1)
      : e.key === 'ArrowLeft' ? (stop === 0 ? last : stop - 1)
      : e.key === 'Home' ? 0
      : e.key === 'End' ? last
      : -1;
    if (next < 0) return;
    e.preventDefault();
    setStop(next);
    refs.current[next]?.focus();
  }

  return (
    <div className="chips" role="toolbar" aria-label="카테고리" onKeyDown={onKeyDown} data-testid="category-chips">
      {CHIPS.map((c, i) => (
        <button
          key={c || 'all'}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          className="chip"
          tabIndex={i === stop ? 0 : -1}
          aria-pressed={c === value}
          onFocus={() => setStop(i)}
          onClick={() => onPick(c)}
          data-testid={`category-${c || 'all'}`}
        >
          {c ? categoryLabel(c) : '전체'}
        </button>
      ))}
    </div>
  );
}

/**
 * On an empty board: whether a wider range has posts with the same filters,
 * asked only now (range 1, then 2), with a button that switches to it.
 */
function WiderHint({ range, category, all, onWiden }: { range: number; category: string; all: boolean; onWiden: (r: number) => void }) {
  const [wider, setWider] = useState<number | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setWider(null);
    (async () => {
      for (let r = range + 1; r <= 2; r++) {
        const list = await api<PostList>(`/api/post/${qs({ category, range: r, recruiting: all ? null : 1 })}`, { signal: ctl.signal });
        if (list.posts.length > 0) return setWider(r);
      }
    })().catch((e) => {
      if (!isAbort(e)) setWider(null); // no hint is fine: the empty board says the rest
    });
    return () => ctl.abort();
  }, [range, category, all]);
  if (wider === null) return null;
  return (
    <div className="widen" data-testid="widen-hint">
      <p>
        <strong>{rangeLabel(wider)}</strong>에는 모집 글이 있어요.
      </p>
      <button type="button" className="btn btn-primary" onClick={() => onWiden(wider)} data-testid="widen-range">
        범위 넓혀서 보기
      </button>
    </div>
  );
}

export function Board() {
  const user = useUser();
  const params = useSearchParams();
  const category = params.get('category') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const range = parseRange(params.get('range'), [0, 1, 2].includes(user.range) ? user.range : 0);
  // 모집 중만 is on unless the address says all=1 (the server's ?recruiting=1 filter).
  const all = params.get('all') === '1';
  const now = useClock();
  useDocumentTitle(user.neighborhood?.name ?? user.address);

  const listPath = `/api/post/${qs({ category, page, range, recruiting: all ? null : 1 })}`;
  const { data, error, loading, reload } = useApi<PostList>(listPath);

  // A page change brings the top of the list into view and focus to its
  // heading (not on the first render, nor for a filter change).
  const listTop = useRef<HTMLDivElement>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const shownPage = useRef(page);
  useEffect(() => {
    if (shownPage.current === page) return;
    shownPage.current = page;
    listTop.current?.scrollIntoView({ block: 'start' });
    listHeading.current?.focus({ preventScroll: true });
  }, [page]);

  function go(next: { category?: string; page?: number; range?: number; all?: boolean }) {
    const c = next.category ?? category;
    const r = next.range ?? range;
    const p = next.page ?? 1;
    const a = next.all ?? all;
    navigate(`/${qs({ category: c, range: r === user.range ? null : r, all: a ? 1 : null, page: p === 1 ? null : p })}`);
  }

  const model = paginatorModel(data?.paginator);
  const hoodName = user.neighborhood?.name ?? user.address;
  const myCode = user.neighborhood?.code;

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
        <CategoryChips value={category} onPick={(c) => go({ category: c })} />
        <div className="filters-row">
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
      </div>

      <div className="board-list" ref={listTop}>
        <h2 className="sr-only" tabIndex={-1} ref={listHeading} data-testid="post-list-heading">
          모집 글 목록{page > 1 ? `, ${page}쪽` : ''}
        </h2>
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
                {range < 2 && user.neighborhood && page === 1 && (
                  <WiderHint range={range} category={category} all={all} onWiden={(r) => go({ range: r })} />
                )}
                <div className="row empty-actions">
                  {!all && (
                    <button type="button" className="btn btn-ghost" onClick={() => go({ all: true })}>
                      지난 글도 보기
                    </button>
                  )}
                  <Link className="btn btn-primary" to="/write/">
                    첫 모집 글 쓰기
                  </Link>
                </div>
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
                      <PostMeta post={p} place={boardPlace(p.neighborhood, myCode)} now={now} />
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
                    className={`pager-btn${it.kind !== 'page' ? ' pager-jump' : ''}${it.far ? ' pager-far' : ''}`}
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
    </div>
  );
}
