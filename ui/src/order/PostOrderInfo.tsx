import type { OrderSummary } from '../lib/types';
import { MinProgress, StateChip } from './OrderBits';
import { orderClock, timeLeft, won } from './money';
import { useNow } from './useNow';

/** The order on a post's page: what, how much, when and where. */
export function PostOrderInfo({ post }: { post: OrderSummary }) {
  const now = useNow(15000);
  if (!post.order_state || !post.store_name) return null;
  const recruiting = post.order_state === 'recruiting';
  return (
    <section className="post-order" aria-label="공동 주문" data-testid="post-order">
      <div className="os-top">
        <strong>🛵 {post.store_name}</strong>
        <StateChip state={post.order_state} />
        {recruiting && <span className="time-left" data-testid="order-time-left">⏰ {timeLeft(post.order_at, now)}</span>}
      </div>
      <dl className="order-facts">
        <div>
          <dt>주문 시각</dt>
          <dd>{orderClock(post.order_at)}</dd>
        </div>
        <div>
          <dt>배달비</dt>
          <dd>
            {won(post.fee_now ?? post.delivery_fee ?? 0)}
            {(post.fee_share ?? 0) > 0 && <span className="muted"> · 1인 {won(post.fee_share)}</span>}
          </dd>
        </div>
        <div>
          <dt>받을 곳</dt>
          <dd>
            {post.pickup_spot}
            {post.pickup_note && <span className="muted"> · {post.pickup_note}</span>}
          </dd>
        </div>
        {post.menu_url && (
          <div>
            <dt>메뉴</dt>
            <dd>
              <a href={post.menu_url} target="_blank" rel="noopener noreferrer">
                메뉴 보기 ↗
              </a>
            </dd>
          </div>
        )}
      </dl>
      {recruiting && <MinProgress foodTotal={post.food_total ?? 0} minOrder={post.min_order ?? 0} remaining={post.remaining_to_min ?? 0} />}
      {post.close_on_min && <p className="hint">최소 주문 금액을 채우면 모집을 마감해요.</p>}
    </section>
  );
}
