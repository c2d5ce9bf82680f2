import type { CartItem, Order, OrderMember, OrderState } from '../lib/types';

const STATES: readonly OrderState[] = ['recruiting', 'locked', 'ordered', 'arrived', 'settled', 'cancelled'];

/**
 * Check the shape of a whole order from the server (REST answer or the
 * order.updated frame). A frame we cannot read is dropped rather than
 * half-applied; the next REST load brings the truth.
 */
export function asOrder(v: unknown): Order | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.state !== 'string' || !STATES.includes(o.state as OrderState)) return null;
  if (!Array.isArray(o.members)) return null;
  for (const k of ['food_total', 'fee_now', 'fee_share', 'remaining_to_min'])
    if (typeof o[k] !== 'number') return null;
  for (const m of o.members as unknown[]) {
    const r = m as Partial<OrderMember> | null;
    if (!r || typeof r !== 'object' || !r.user || typeof r.user.id !== 'number') return null;
    if (!Array.isArray(r.items) || typeof r.to_pay !== 'number') return null;
  }
  return o as unknown as Order;
}

export type OrderEvent = { type: 'order.updated'; order: Order };

/** Parse an order.updated frame's payload; null when it is malformed. */
export function parseOrderEvent(e: Record<string, unknown>): OrderEvent | null {
  const order = asOrder(e.order);
  return order ? { type: 'order.updated', order } : null;
}

/** A blank cart line for the sheet. */
export function blankItem(): CartItem {
  return { name: '', price: 0, qty: 1, note: '' };
}
