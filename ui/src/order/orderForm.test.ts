import { describe, expect, it } from 'vitest';
import { fromKstLocal, kstLocal, newOrderInput, orderBody, orderEditBody, orderInputFrom, validateOrder } from './orderForm';

const now = Date.parse('2026-11-28T18:00:00+09:00');

describe('the write form’s order part', () => {
  it('reads and writes datetime-local values in KST', () => {
    expect(kstLocal(now)).toBe('2026-11-28T18:00');
    expect(fromKstLocal('2026-11-28T19:30')).toBe(Date.parse('2026-11-28T19:30:00+09:00'));
    expect(fromKstLocal('tomorrow')).toBeNaN();
  });

  it('sends no order keys when the order is off (the original client’s post)', () => {
    expect(orderBody({ ...newOrderInput(now), enabled: false }, now)).toEqual({});
    expect(validateOrder({ ...newOrderInput(now), enabled: false }, now)).toEqual({});
  });

  it('sends the fields with a 30-minute deadline by default', () => {
    const v = { ...newOrderInput(now), store_name: ' 교촌 ', pickup_spot: '101동 앞' };
    expect(orderBody(v, now)).toEqual({
      store_name: '교촌',
      menu_url: '',
      delivery_fee: 3000,
      fee_tiers: [],
      min_order: 15000,
      order_at: new Date(now + 30 * 60e3).toISOString(),
      pickup_spot: '101동 앞',
      pickup_note: '',
      close_on_min: false,
    });
    expect(validateOrder(v, now)).toEqual({});
  });

  it('checks the required fields, bounds, tiers and the time', () => {
    const v = {
      ...newOrderInput(now),
      delivery_fee: '100001',
      min_order: '',
      menu_url: 'javascript:alert(1)',
      tiers: [
        { from_total: '30000', fee: '0' },
        { from_total: '20000', fee: '1000' },
      ],
      when: 'custom' as const,
      custom: '2026-11-28T17:00',
    };
    const e = validateOrder(v, now);
    expect(Object.keys(e).sort()).toEqual(['delivery_fee', 'fee_tiers', 'menu_url', 'min_order', 'order_at', 'pickup_spot', 'store_name']);
  });

  it('on edit sends only what changed, so an unchanged deadline is not re-checked', () => {
    const post = {
      order_state: 'recruiting' as const,
      store_name: '교촌',
      menu_url: '',
      delivery_fee: 3000,
      fee_tiers: [],
      min_order: 20000,
      order_at: '2026-11-28T18:05:00+09:00',
      pickup_spot: '101동 앞',
      pickup_note: '',
      close_on_min: false,
    };
    const o0 = orderInputFrom(post, now);
    expect(orderEditBody(o0, o0, now)).toEqual({});
    expect(orderEditBody({ ...o0, delivery_fee: '4000' }, o0, now)).toEqual({ delivery_fee: 4000 });
    expect(orderEditBody({ ...o0, when: '60' }, o0, now)).toEqual({ order_at: new Date(now + 3600e3).toISOString() });
  });
});
