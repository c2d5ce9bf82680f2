import type { Post } from '../lib/types';
import { formatDistance, fullTime, relativeTime } from '../lib/format';
import { categoryLabel } from '../lib/constants';

export function StatusBadge({ complete }: { complete: boolean }) {
  return (
    <span className={`badge ${complete ? 'badge-done' : 'badge-open'}`} data-testid="post-status">
      {complete ? '모집 완료' : '모집 중'}
    </span>
  );
}

/**
 * A post's category, head count, place and age. `place` is the place name
 * to show (short on board cards, full on the detail page; empty for none)
 * and `now` the shared clock (useClock), so that "3분 전" moves on without
 * a reload.
 */
export function PostMeta({ post, place, now, showWriter = false }: { post: Post; place: string; now: number; showWriter?: boolean }) {
  const dist = formatDistance(post.distance_km);
  return (
    <span className="post-meta">
      <span className="cat">{categoryLabel(post.category)}</span>
      <span aria-label={`참여 ${post.join_number}명, 모집 ${post.target_number}명`}>
        👥 {post.join_number}/{post.target_number}
      </span>
      {place && (
        <span data-testid="post-place" title={post.neighborhood?.name}>
          {place}
          {dist && <span data-testid="post-distance"> · {dist}</span>}
        </span>
      )}
      <time dateTime={post.created_at} title={fullTime(post.created_at)} data-testid="post-age">
        {relativeTime(post.created_at, new Date(now))}
      </time>
      {showWriter && (
        <span>
          글쓴이 <strong>{post.writer.username}</strong>
        </span>
      )}
    </span>
  );
}
