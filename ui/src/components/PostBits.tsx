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

export function PostMeta({ post, showWriter = false }: { post: Post; showWriter?: boolean }) {
  const dist = formatDistance(post.distance_km);
  return (
    <span className="post-meta">
      <span className="cat">{categoryLabel(post.category)}</span>
      <span aria-label={`참여 ${post.join_number}명, 모집 ${post.target_number}명`}>
        👥 {post.join_number}/{post.target_number}
      </span>
      {dist && post.neighborhood && (
        <span data-testid="post-distance">
          {post.neighborhood.name} · {dist}
        </span>
      )}
      <time dateTime={post.created_at} title={fullTime(post.created_at)}>
        {relativeTime(post.created_at)}
      </time>
      {showWriter && (
        <span>
          글쓴이 <strong>{post.writer.username}</strong>
        </span>
      )}
    </span>
  );
}
