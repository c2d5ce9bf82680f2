import type { Order } from '../lib/types';
import { MinProgress, StateChip } from './OrderBits';
import { myLine, timeLeft, won } from './money';

interface Props {
  order: Order;
  myId: number;
  now: number;
  openCart: () => void;
  openDetails: () => void;
}

/** The pinned card at the top of the room: store, time left, totals, my share, state. */
export function OrderSummary({ order, myId, now, openCart, openDetails }: Props) {
  const me = myLine(order, myId);
  const recruiting = order.state === 'recruiting';
  const paying = order.state === 'locked' || order.state === 'ordered' || order.state === 'arrived';
  const left = recruiting ? timeLeft(order.order_at, now) : '';
  return (
    <section className="order-summary" aria-label="공동 주문" data-testid="order-summary" data-state={order.state}>
      <div className="os-top">
        <strong className="os-store" data-testid="order-store">
          🛵 {order.store_name}
        </strong>
        <StateChip state={order.state} />
        {left && (
          <span className="time-left" data-testid="order-time-left">
            ⏰ {left}
          </span>
        )}
        {order.state === 'ordered' && order.eta_minutes ? <span className="muted small">약 {order.eta_minutes}분 뒤 도착</span> : null}
      </div>
      <dl className="os-nums">
        <div>
          <dt>음식 합계</dt>
          <dd data-testid="order-food-total" data-value={order.food_total}>
            {won(order.food_total)}
          </dd>
        </div>
        <div>
          <dt>배달비</dt>
          <dd data-testid="order-fee" data-value={order.fee_now}>
            {won(order.fee_now)}
          </dd>
        </div>
        <div>
          <dt>내 몫</dt>
          <dd data-testid="order-my-share" data-value={me ? me.to_pay : ''}>
            {me ? won(me.to_pay) : '–'}
          </dd>
        </div>
      </dl>
      {recruiting && <MinProgress foodTotal={order.food_total} minOrder={order.min_order} remaining={order.remaining_to_min} />}
      <div className="os-actions">
        {me && (
          <button type="button" className={`btn btn-sm${recruiting ? ' btn-primary' : ''}`} onClick={openCart} data-testid="cart-open">
            🧺 내 장바구니{me.items.length ? ` ${me.items.length}` : ''}
            {me.ready ? ' ✓' : ''}
          </button>
        )}
        <button type="button" className="btn btn-sm" onClick={openDetails} data-testid="order-details-open">
          {paying ? '💸 정산 · 주문 현황' : '📋 주문 현황'}
        </button>
      </div>
    </section>
  );
}
