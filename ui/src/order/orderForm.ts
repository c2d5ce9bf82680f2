import type { FieldErrors } from '../lib/errors';
import type { FeeTier, OrderSummary } from '../lib/types';
import { parseWon } from './money';

/** The order part of the write form, as typed (strings for the number inputs). */
export interface OrderInput {
  /** false: a post without an order, as the original client writes */
  enabled: boolean;
  store_name: string;
  menu_url: string;
  delivery_fee: string;
  tiers: { from_total: string; fee: string }[];
  min_order: string;
  when: '30' | '60' | 'custom' | 'keep';
  /** datetime-local value, read as KST */
  custom: string;
  pickup_spot: string;
  pickup_note: string;
  close_on_min: boolean;
}

export const ORDER_FIELDS = [
  'store_name',
  'menu_url',
  'delivery_fee',
  'fee_tiers',
  'min_order',
  'order_at',
  'pickup_spot',
  'pickup_note',
  'close_on_min',
] as const;

export const TIERS_MAX = 5;
const KST_MS = 9 * 3600 * 1000;

/** A datetime-local value ("2026-11-28T19:00") for an instant, in KST. */
export function kstLocal(ms: number): string {
  return new Date(ms + KST_MS).toISOString().slice(0, 16);
}

/** The instant a KST datetime-local value names, or NaN. */
export function fromKstLocal(v: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return NaN;
  return Date.parse(`${v}:00+09:00`);
}

/** Defaults for a new post: 3,000원 fee, 15,000원 minimum, order in 30 minutes. */
export function newOrderInput(now: number): OrderInput {
  const in1h = Math.ceil((now + 3600e3) / 600e3) * 600e3;
  return {
    enabled: true,
    store_name: '',
    menu_url: '',
    delivery_fee: '3000',
    tiers: [],
    min_order: '15000',
    when: '30',
    custom: kstLocal(in1h),
    pickup_spot: '',
    pickup_note: '',
    close_on_min: false,
  };
}

/** The form for an existing post: its order, or off when it has none. */
export function orderInputFrom(p: OrderSummary, now: number): OrderInput {
  if (!p.order_state) return { ...newOrderInput(now), enabled: false };
  return {
    enabled: true,
    store_name: p.store_name ?? '',
    menu_url: p.menu_url ?? '',
    delivery_fee: String(p.delivery_fee ?? 0),
    tiers: (p.fee_tiers ?? []).map((t) => ({ from_total: String(t.from_total), fee: String(t.fee) })),
    min_order: String(p.min_order ?? 0),
    when: 'keep',
    custom: p.order_at ? kstLocal(Date.parse(p.order_at)) : kstLocal(now + 3600e3),
    pickup_spot: p.pickup_spot ?? '',
    pickup_note: p.pickup_note ?? '',
    close_on_min: !!p.close_on_min,
  };
}

export function tiersOf(v: OrderInput): FeeTier[] {
  return v.tiers.map((t) => ({ from_total: parseWon(t.from_total) ?? 0, fee: parseWon(t.fee) ?? 0 }));
}

/** The deadline the form would send, as an instant (null: keep the post's). */
export function orderAtMs(v: OrderInput, now: number): number | null {
  if (v.when === 'keep') return null;
  if (v.when === '30') return now + 30 * 60e3;
  if (v.when === '60') return now + 60 * 60e3;
  return fromKstLocal(v.custom);
}

/** The keys to add to the post body (none when the order is off). */
export function orderBody(v: OrderInput, now: number): Record<string, unknown> {
  if (!v.enabled) return {};
  const at = orderAtMs(v, now);
  return {
    store_name: v.store_name.trim(),
    menu_url: v.menu_url.trim(),
    delivery_fee: parseWon(v.delivery_fee) ?? 0,
    fee_tiers: tiersOf(v),
    min_order: parseWon(v.min_order) ?? 0,
    ...(at === null ? {} : { order_at: new Date(at).toISOString() }),
    pickup_spot: v.pickup_spot.trim(),
    pickup_note: v.pickup_note.trim(),
    close_on_min: v.close_on_min,
  };
}

const len = (s: string) => [...s.trim()].length;

/** The form's own checks (the server checks everything again, incl. the 10 min–24 h window). */
export function validateOrder(v: OrderInput, now: number): FieldErrors {
  const e: FieldErrors = {};
  if (!v.enabled) return e;
  const add = (k: string, m: string) => (e[k] ??= []).push(m);
  if (!len(v.store_name)) add('store_name', '가게 이름을 적어 주세요.');
  else if (len(v.store_name) > 40) add('store_name', '가게 이름은 40자까지예요.');
  const url = v.menu_url.trim();
  if (url && (!/^https?:\/\/[^\s/]+/i.test(url) || url.length > 500)) add('menu_url', 'http:// 또는 https:// 로 시작하는 주소를 적어 주세요.');
  const fee = parseWon(v.delivery_fee);
  if (fee === null || fee > 100000) add('delivery_fee', '배달비는 0원에서 100,000원 사이로 적어 주세요.');
  const min = parseWon(v.min_order);
  if (min === null || min > 1000000) add('min_order', '최소 주문 금액은 0원에서 1,000,000원 사이로 적어 주세요.');
  let prev = -1;
  v.tiers.forEach((t, i) => {
    const from = parseWon(t.from_total);
    const f = parseWon(t.fee);
    if (from === null || f === null) add('fee_tiers', `${i + 1}번째 구간의 금액을 채워 주세요.`);
    else if (from <= prev) add('fee_tiers', '구간은 주문 금액이 커지는 순서로 적어 주세요.');
    else if (f > 100000) add('fee_tiers', '구간 배달비는 100,000원까지예요.');
    if (from !== null) prev = from;
  });
  const at = orderAtMs(v, now);
  if (at !== null && (Number.isNaN(at) || at <= now)) add('order_at', '주문 시각을 앞으로의 시간으로 골라 주세요.');
  if (!len(v.pickup_spot)) add('pickup_spot', '받을 곳을 적어 주세요.');
  else if (len(v.pickup_spot) > 50) add('pickup_spot', '받을 곳은 50자까지예요.');
  if (len(v.pickup_note) > 200) add('pickup_note', '메모는 200자까지예요.');
  return e;
}

/** On edit, only the keys that changed (an unchanged deadline is not re-checked against the window). */
export function orderEditBody(v: OrderInput, original: OrderInput, now: number): Record<string, unknown> {
  const next = orderBody(v, now);
  if (!original.enabled) return next;
  const before = orderBody(original, now);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(next)) if (JSON.stringify(val) !== JSON.stringify(before[k])) out[k] = val;
  return out;
}
