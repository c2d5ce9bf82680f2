import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { OrderAct } from './orderApi';
import type { Order } from '../lib/types';
import { OrderSummary } from './OrderSummary';

// The sheets are not part of the first page load: the room fetches them in
// the first idle period after it shows an order (not in the commit that
// shows it, which is the room's longest task), so they are there by the
// time someone taps.
const loadCart = () => import('./CartSheet');
const loadDetails = () => import('./OrderDetails');
const CartSheet = lazy(() => loadCart().then((m) => ({ default: m.CartSheet })));
const OrderDetails = lazy(() => loadDetails().then((m) => ({ default: m.OrderDetails })));
import { useNow } from './useNow';
import { whenIdle } from '../lib/idle';

interface Props {
  roomId: string;
  order: Order;
  myId: number;
  organiserId: number;
  staff: boolean;
  act: OrderAct;
}

/** The room's order: the pinned summary and its two sheets. */
export function OrderPanel({ roomId, order, myId, organiserId, staff, act }: Props) {
  const now = useNow(10000);
  const [sheet, setSheet] = useState<'' | 'cart' | 'details'>('');
  const close = useCallback(() => setSheet(''), []);
  useEffect(
    () =>
      whenIdle(() => {
        loadCart().catch(() => {});
        loadDetails().catch(() => {});
      }),
    [],
  );
  return (
    <>
      <OrderSummary order={order} myId={myId} now={now} openCart={() => setSheet('cart')} openDetails={() => setSheet('details')} />
      <Suspense fallback={null}>
        {sheet === 'cart' && <CartSheet roomId={roomId} order={order} myId={myId} act={act} onClose={close} />}
        {sheet === 'details' && (
          <OrderDetails roomId={roomId} order={order} myId={myId} organiserId={organiserId} staff={staff} now={now} act={act} onClose={close} />
        )}
      </Suspense>
    </>
  );
}
