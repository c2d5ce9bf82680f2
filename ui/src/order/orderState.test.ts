import { describe, expect, it } from 'vitest';
import { chatReducer, initialChatState, parseEvent } from '../chat/state';
import type { Order } from '../lib/types';
import { asOrder } from './orderState';

const org = { id: 1, username: '방장', email: 'o@x.kr' };
const nb = { id: 2, username: '이웃', email: 'n@x.kr' };

function order(over: Partial<Order> = {}): Order {
  return {
    state: 'recruiting',
    store_name: '교촌치킨',
    menu_url: '',
    delivery_fee: 3000,
    fee_tiers: [],
    fee_now: 3000,
    min_order: 20000,
    order_at: '2026-11-28T19:00:00+09:00',
    pickup_spot: '101동 앞',
    pickup_note: '',
    close_on_min: false,
    eta_minutes: null,
    can_unlock: false,
    food_total: 9000,
    remaining_to_min: 11000,
    fee_share: 3000,
    payment_info: '',
    members: [
      { user: org, items: [], subtotal: 0, fee: 0, to_pay: 0, ready: false, paid: 'none' },
      { user: nb, items: [{ name: '후라이드', price: 9000, qty: 1, note: '' }], subtotal: 9000, fee: 3000, to_pay: 12000, ready: true, paid: 'none' },
    ],
    ...over,
  };
}

const frame = (o: unknown) => JSON.stringify({ type: 'order.updated', order: o });

describe('the order.updated frame', () => {
  it('parses a whole order', () => {
    const e = parseEvent(frame(order()));
    expect(e?.type).toBe('order.updated');
    expect(e && e.type === 'order.updated' && e.order.members[1].to_pay).toBe(12000);
  });

  it.each([
    ['no order', JSON.stringify({ type: 'order.updated' })],
    ['an unknown state', frame({ ...order(), state: 'delivered' })],
    ['members not a list', frame({ ...order(), members: null })],
    ['a member without a user', frame({ ...order(), members: [{ items: [], to_pay: 0 }] })],
    ['money as text', frame({ ...order(), fee_share: '1500' })],
    ['to_pay missing', frame({ ...order(), members: [{ user: org, items: [] }] })],
  ])('drops a frame with %s', (_, data) => expect(parseEvent(data)).toBeNull());

  it('replaces the whole order in the chat state, keeping messages and the outbox', () => {
    let s = chatReducer(initialChatState(2), {
      type: 'loaded',
      messages: [{ id: 1, message: '안녕', created_at: '2026-11-28T09:00:00Z', chatroom: 3, user: nb }],
      hasMore: false,
    });
    s = chatReducer(s, { type: 'send', id: 'c1', message: '곧 담을게요' });
    expect(s.order).toBeNull();
    s = chatReducer(s, { type: 'order', order: order() });
    expect(s.order?.fee_share).toBe(3000);

    const locked = order({
      state: 'locked',
      food_total: 21000,
      fee_share: 1500,
      members: [
        { user: org, items: [{ name: '양념', price: 12000, qty: 1, note: '' }], subtotal: 12000, fee: 1500, to_pay: 13500, ready: true, paid: 'none' },
        { user: nb, items: [{ name: '후라이드', price: 9000, qty: 1, note: '' }], subtotal: 9000, fee: 1500, to_pay: 10500, ready: true, paid: 'none' },
      ],
    });
    const ev = parseEvent(frame(locked))!;
    const next = chatReducer(s, { type: 'event', event: ev });
    expect(next.order?.state).toBe('locked');
    // The server's numbers, untouched: the client recomputes nothing.
    expect(next.order?.members.map((m) => m.to_pay)).toEqual([13500, 10500]);
    expect(next.messages).toBe(s.messages);
    expect(next.pending).toBe(s.pending);
  });

  it('a later frame wins over an earlier one', () => {
    let s = chatReducer(initialChatState(2), { type: 'order', order: order({ state: 'ordered', eta_minutes: 30 }) });
    s = chatReducer(s, { type: 'event', event: parseEvent(frame(order({ state: 'arrived' })))! });
    expect(s.order?.state).toBe('arrived');
    expect(s.order?.eta_minutes).toBeNull();
  });

  it('asOrder rejects what is not an order', () => {
    expect(asOrder(null)).toBeNull();
    expect(asOrder('order')).toBeNull();
    expect(asOrder(order())).not.toBeNull();
  });
});
