import type { FeeTier, Order, OrderState } from '../lib/types';
import { clockTime } from '../lib/format';

/** "3,000원". Integers only; grouping does not depend on the browser's locale. */
export function won(n: number | null | undefined): string {
  const v = typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : 0;
  const sign = v < 0 ? '-' : '';
  return `${sign}${String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}원`;
}

/** Digits of a money input ("3,000원" → 3000); null when there are none. */
export function parseWon(s: string): number | null {
  const d = s.replace(/[^\d]/g, '');
  if (!d) return null;
  const n = Number(d.slice(0, 12));
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Time to the deadline, as the board and the room show it: "23분 남음",
 * "1시간 5분 남음", "곧 마감" in the last minute, "마감 시간 지남" after.
 * Minutes round up, so a deadline picked as "30분 후" reads "30분 남음".
 */
export function timeLeft(orderAt: string | null | undefined, now: number): string {
  if (!orderAt) return '';
  const t = Date.parse(orderAt);
  if (Number.isNaN(t)) return '';
  const sec = Math.floor((t - now) / 1000);
  if (sec <= 0) return '마감 시간 지남';
  if (sec < 60) return '곧 마감';
  const min = Math.ceil(sec / 60);
  if (min < 60) return `${min}분 남음`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m ? `${h}시간 ${m}분 남음` : `${h}시간 남음`;
}

/** The fee that applies to a food total: the highest tier at or under it, else the base fee. */
export function feeAt(total: number, base: number, tiers: FeeTier[] | null | undefined): number {
  let fee = base;
  let best = -1;
  for (const t of tiers ?? []) if (t.from_total <= total && t.from_total > best) (best = t.from_total), (fee = t.fee);
  return fee;
}

/**
 * The write form's preview only (the room and board show the server's
 * numbers): the fee once the minimum order is reached, split over the
 * headcount and rounded down to 10원, the server's rule for a full room.
 */
export function previewShare(fee: number, minOrder: number, tiers: FeeTier[] | null | undefined, people: number): number {
  if (!Number.isFinite(fee) || fee <= 0 || !Number.isFinite(people) || people < 1) return 0;
  const f = feeAt(Math.max(0, minOrder || 0), fee, tiers);
  return Math.floor(f / Math.floor(people) / 10) * 10;
}

export const STATE_LABEL: Record<OrderState, string> = {
  recruiting: '모집 중',
  locked: '마감',
  ordered: '주문 완료',
  arrived: '도착',
  settled: '정산 완료',
  cancelled: '취소',
};

/** Percent of the minimum order reached, 0–100 (100 when there is no minimum). */
export function progressPct(foodTotal: number, minOrder: number): number {
  if (!minOrder || minOrder <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((foodTotal * 100) / minOrder)));
}

/** A member's own line in an order, or null when I am not in it. */
export function myLine(order: Order, myId: number) {
  return order.members.find((m) => m.user.id === myId) ?? null;
}

/** The account number in a payment text, for the copy button ("3333-01-1234567"). */
export function accountNumber(info: string): string {
  const m = info.match(/\d[\d-]{6,}\d/);
  return m ? m[0] : '';
}

/** "오후 7:00" in KST, for the deadline. */
export function orderClock(iso: string | null | undefined): string {
  return iso ? clockTime(iso) : '';
}
