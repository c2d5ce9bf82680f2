import { api, path } from '../lib/api';
import type { CartItem, Order } from '../lib/types';
import { asOrder } from './orderState';

/** The order routes of a room (docs/orders.md); each answers the whole order. */
const base = (roomId: string | number) => path`/api/chat/${roomId}/order/`;

async function whole(p: Promise<unknown>): Promise<Order> {
  const o = asOrder(await p);
  if (!o) throw new Error('주문 정보를 읽지 못했어요.');
  return o;
}

export type LifecycleStep = 'locked' | 'recruiting' | 'ordered' | 'arrived' | 'cancelled';

export const orderApi = {
  get: (roomId: string | number) => whole(api(base(roomId))),
  /** The order from an answer already on its way (lib/early.ts). */
  of: (answer: Promise<unknown>) => whole(answer),
  cart: (roomId: string | number, items: CartItem[]) =>
    whole(api(`${base(roomId)}cart/`, { method: 'PUT', body: { items } })),
  ready: (roomId: string | number, ready: boolean) =>
    whole(api(`${base(roomId)}ready/`, { method: 'POST', body: { ready } })),
  state: (roomId: string | number, state: LifecycleStep, etaMinutes?: number | null) =>
    whole(
      api(`${base(roomId)}state/`, {
        method: 'POST',
        body: etaMinutes ? { state, eta_minutes: etaMinutes } : { state },
      }),
    ),
  paymentInfo: (roomId: string | number, text: string) =>
    whole(api(`${base(roomId)}payment-info/`, { method: 'PUT', body: { text } })),
  sent: (roomId: string | number) => whole(api(`${base(roomId)}payment/`, { method: 'POST', body: { action: 'sent' } })),
  confirm: (roomId: string | number, userId: number) =>
    whole(api(`${base(roomId)}payment/`, { method: 'POST', body: { action: 'confirm', user_id: userId } })),
};

/**
 * Runs one order request and applies its answer — unless an order.updated
 * frame came in meanwhile: that frame may be newer than the answer, and the
 * socket brings this change's own frame next (useChat).
 */
export type OrderAct = (fn: () => Promise<Order>) => Promise<Order>;
