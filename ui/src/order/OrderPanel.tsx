import { useCallback, useState } from 'react';
import type { Order } from '../lib/types';
import { CartSheet } from './CartSheet';
import { OrderDetails } from './OrderDetails';
import { OrderSummary } from './OrderSummary';
import { useNow } from './useNow';

interface Props {
  roomId: string;
  order: Order;
  myId: number;
  organiserId: number;
  staff: boolean;
  setOrder: (o: Order) => void;
}

/** The room's order: the pinned summary and its two sheets. */
export function OrderPanel({ roomId, order, myId, organiserId, staff, setOrder }: Props) {
  const now = useNow(10000);
  const [sheet, setSheet] = useState<'' | 'cart' | 'details'>('');
  const close = useCallback(() => setSheet(''), []);
  return (
    <>
      <OrderSummary order={order} myId={myId} now={now} openCart={() => setSheet('cart')} openDetails={() => setSheet('details')} />
      {sheet === 'cart' && <CartSheet roomId={roomId} order={order} myId={myId} setOrder={setOrder} onClose={close} />}
      {sheet === 'details' && (
        <OrderDetails roomId={roomId} order={order} myId={myId} organiserId={organiserId} staff={staff} now={now} setOrder={setOrder} onClose={close} />
      )}
    </>
  );
}
