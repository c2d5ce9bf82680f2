import type { OrderState, OrderSummary } from '../lib/types';
import { progressPct, STATE_LABEL, timeLeft, won } from './money';

export function StateChip({ state }: { state: OrderState }) {
  return (
    <span className={`order-chip order-chip-${state}`} data-testid="order-state" data-state={state}>
      {STATE_LABEL[state]}
    </span>
  );
}

/** Bar + "N원 남음" toward the minimum order. */
export function MinProgress({ foodTotal, minOrder, remaining }: { foodTotal: number; minOrder: number; remaining: number }) {
  const pct = progressPct(foodTotal, minOrder);
  return (
    <span className="min-progress" data-testid="order-progress" data-food-total={foodTotal} data-remaining={remaining}>
      <span
        className="min-bar"
        role="progressbar"
        aria-label="최소 주문 금액까지"
        aria-valuemin={0}
        aria-valuemax={minOrder}
        aria-valuenow={Math.min(foodTotal, minOrder)}
      >
        <span style={{ width: `${pct}%` }} className={remaining === 0 ? 'done' : undefined} />
      </span>
      <span className="min-text">
        {won(foodTotal)} / {won(minOrder)}
        {' · '}
        <strong data-testid="order-remaining">{remaining > 0 ? `${won(remaining)} 남음` : '최소 금액 달성'}</strong>
      </span>
    </span>
  );
}

/** The order lines of a board card: store, time left, progress, fee per person, 내 주문. */
export function OrderCardInfo({ post, now, mine }: { post: OrderSummary; now: number; mine: boolean }) {
  if (!post.order_state || !post.store_name) return null;
  const state = post.order_state;
  const recruiting = state === 'recruiting';
  const left = recruiting ? timeLeft(post.order_at, now) : '';
  const share = post.fee_share ?? 0;
  return (
    <span className="order-card" data-testid="order-card" data-state={state}>
      <span className="order-card-top">
        <span className="order-store" data-testid="order-store">
          🛵 {post.store_name}
        </span>
        {left ? (
          <span className={`time-left${left === '마감 시간 지남' ? ' over' : ''}`} data-testid="order-time-left">
            ⏰ {left}
          </span>
        ) : (
          <StateChip state={state} />
        )}
        {mine && (
          <span className="tag tag-me" data-testid="order-mine">
            내 주문
          </span>
        )}
      </span>
      {recruiting && (
        <MinProgress foodTotal={post.food_total ?? 0} minOrder={post.min_order ?? 0} remaining={post.remaining_to_min ?? 0} />
      )}
      <span className="order-fee" data-testid="order-fee-line">
        {share > 0 ? (
          <>
            1인 배달비 <strong data-testid="order-fee-share">{won(share)}</strong>
          </>
        ) : (
          <>배달비 {won(post.fee_now ?? post.delivery_fee ?? 0)}</>
        )}
      </span>
    </span>
  );
}
