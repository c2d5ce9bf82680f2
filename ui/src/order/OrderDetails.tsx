import { useState } from 'react';
import { errorMessage } from '../lib/api';
import type { Order, OrderMember } from '../lib/types';
import { Lifecycle } from './Lifecycle';
import { Settlement } from './Settlement';
import { Sheet } from './Sheet';
import { orderClock, timeLeft, won } from './money';
import { orderApi, OrderAct } from './orderApi';

export const FEE_RULE = '배달비는 메뉴를 담은 사람끼리 10원 단위로 나눠요. 남는 금액은 방장이 부담해요.';

const PAID_LABEL = { none: '아직 안 보냄', sent: '보냈어요', confirmed: '받았어요 ✓' } as const;

interface Props {
  roomId: string;
  order: Order;
  myId: number;
  organiserId: number;
  staff: boolean;
  now: number;
  act: OrderAct;
  onClose: () => void;
}

/** Everyone's carts and ready marks, the organiser's steps and the settlement. */
export function OrderDetails({ roomId, order, myId, organiserId, staff, now, act, onClose }: Props) {
  const organiser = myId === organiserId;
  const paying = order.state === 'locked' || order.state === 'ordered' || order.state === 'arrived';
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState('');

  async function confirm(m: OrderMember) {
    setBusy(m.user.id);
    setError('');
    try {
      await act(() => orderApi.confirm(roomId, m.user.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(0);
    }
  }

  return (
    <Sheet title="주문 현황" onClose={onClose} testId="order-details">
      <dl className="order-facts">
        <div>
          <dt>가게</dt>
          <dd>
            {order.store_name}
            {order.menu_url && (
              <>
                {' '}
                <a href={order.menu_url} target="_blank" rel="noopener noreferrer" data-testid="order-menu-link">
                  메뉴 보기 ↗
                </a>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>주문 시각</dt>
          <dd>
            {orderClock(order.order_at)}
            {order.state === 'recruiting' && ` (${timeLeft(order.order_at, now)})`}
          </dd>
        </div>
        <div>
          <dt>픽업</dt>
          <dd>
            {order.pickup_spot}
            {order.pickup_note && <span className="muted"> · {order.pickup_note}</span>}
          </dd>
        </div>
        <div>
          <dt>최소 주문</dt>
          <dd>{won(order.min_order)}</dd>
        </div>
        <div>
          <dt>배달비</dt>
          <dd>
            지금 {won(order.fee_now)}
            {order.fee_tiers.length > 0 && (
              <span className="muted small">
                {' '}
                (기본 {won(order.delivery_fee)}; {order.fee_tiers.map((t) => `${won(t.from_total)}부터 ${won(t.fee)}`).join(', ')})
              </span>
            )}
          </dd>
        </div>
      </dl>
      <p className="fee-rule" data-testid="fee-rule">
        {FEE_RULE} 지금 1인 배달비는 <strong data-testid="order-fee-share">{won(order.fee_share)}</strong>이에요.
      </p>

      <h3>참여자 장바구니</h3>
      <ul className="order-members">
        {order.members.map((m) => {
          const isOrg = m.user.id === organiserId;
          return (
            <li
              key={m.user.id}
              className="order-member"
              data-testid="order-member"
              data-user-id={m.user.id}
              data-subtotal={m.subtotal}
              data-fee={m.fee}
              data-to-pay={m.to_pay}
              data-paid={m.paid}
              data-ready={m.ready}
            >
              <div className="om-head">
                <span className="om-name">
                  {m.user.username}
                  {isOrg && <span className="tag">방장</span>}
                  {m.user.id === myId && <span className="tag tag-me">나</span>}
                </span>
                {order.state === 'recruiting' ? (
                  <span className={`ready-mark${m.ready ? ' on' : ''}`}>{m.ready ? '준비 완료' : m.items.length ? '담는 중' : '아직 없음'}</span>
                ) : (
                  !isOrg &&
                  m.to_pay > 0 && <span className={`paid-mark paid-${m.paid}`} data-testid="order-member-paid">{PAID_LABEL[m.paid]}</span>
                )}
              </div>
              {m.items.length > 0 && (
                <ul className="om-items">
                  {m.items.map((it, i) => (
                    <li key={i}>
                      <span>
                        {it.name}
                        {it.note && <span className="muted"> ({it.note})</span>}
                      </span>
                      <span className="om-price">
                        {won(it.price)} × {it.qty}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              <div className="om-money">
                메뉴 {won(m.subtotal)} + 배달비 {won(m.fee)} = <strong data-testid="order-member-to-pay">{won(m.to_pay)}</strong>
              </div>
              {organiser && paying && !isOrg && m.to_pay > 0 && m.paid !== 'confirmed' && (
                <button
                  type="button"
                  className="btn btn-sm btn-accent"
                  disabled={busy !== 0}
                  onClick={() => confirm(m)}
                  data-testid={`payment-confirm-${m.user.id}`}
                >
                  {m.user.username}님 돈 받았어요
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {error && (
        <p className="field-errors" role="alert">
          {error}
        </p>
      )}

      <Settlement roomId={roomId} order={order} myId={myId} organiserId={organiserId} act={act} />
      <Lifecycle roomId={roomId} order={order} organiser={organiser} staff={staff} act={act} />
    </Sheet>
  );
}
