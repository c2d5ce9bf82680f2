import type { Post } from '../lib/types';
import { Sheet } from './Sheet';

/**
 * What joining does, said once, in the sheet that the join button opens
 * (instead of a browser confirm): you are counted, you enter the room, you
 * can leave while it recruits. 참여할게요 joins.
 */
export function JoinSheet({ post, busy, onJoin, onClose }: { post: Post; busy: boolean; onJoin: () => void; onClose: () => void }) {
  const order = Boolean(post.order_state && post.store_name);
  return (
    <Sheet title="이 모집에 참여할까요?" onClose={onClose} testId="join-sheet">
      <ul className="join-facts">
        <li>
          <span aria-hidden="true">👥</span>
          <span>
            참여 인원에 들어가요: 지금 {post.join_number}/{post.target_number}명 → <strong>{post.join_number + 1}/{post.target_number}명</strong>
          </span>
        </li>
        <li>
          <span aria-hidden="true">💬</span>
          <span>{order ? '채팅방에 들어가서 메뉴를 담고 이웃과 주문을 함께 정해요.' : '채팅방에 들어가서 이웃과 주문을 함께 정해요.'}</span>
        </li>
        <li>
          <span aria-hidden="true">🚪</span>
          <span>모집 중에는 언제든 채팅방에서 나갈 수 있어요.</span>
        </li>
      </ul>
      <div className="row sheet-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose} disabled={busy}>
          취소
        </button>
        <button type="button" className="btn btn-primary" onClick={onJoin} disabled={busy} data-testid="join-confirm">
          {busy ? '참여하는 중…' : '참여할게요'}
        </button>
      </div>
    </Sheet>
  );
}
