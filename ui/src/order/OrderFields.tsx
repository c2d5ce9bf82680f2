import { Field } from '../components/ui';
import type { FieldErrors } from '../lib/errors';
import { fromKstLocal, OrderInput, orderAtMs, TIERS_MAX, tiersOf } from './orderForm';
import { orderClock, parseWon, previewShare, won } from './money';

interface Props {
  v: OrderInput;
  set: (patch: Partial<OrderInput>) => void;
  errors: FieldErrors;
  /** headcount the preview divides by */
  people: number;
  now: number;
  /** the post already has an order: it cannot be switched off */
  locked: boolean;
  /** the order is past recruiting: its fields are frozen */
  frozen: boolean;
}

const WHEN: { key: OrderInput['when']; label: string }[] = [
  { key: '30', label: '30분 후' },
  { key: '60', label: '1시간 후' },
  { key: 'custom', label: '직접' },
];

function MoneyInput({ value, onChange, ...rest }: { value: string; onChange: (v: string) => void } & Record<string, unknown>) {
  return (
    <span className="money-input">
      <input
        type="text"
        inputMode="numeric"
        value={value}
        onChange={(e) => onChange(e.target.value.replace(/[^\d]/g, '').slice(0, 8))}
        {...rest}
      />
      <span aria-hidden="true">원</span>
    </span>
  );
}

/** The group-order part of the write form, with the "1인 배달비 약 N원" preview. */
export function OrderFields({ v, set, errors, people, now, locked, frozen }: Props) {
  const fee = parseWon(v.delivery_fee) ?? 0;
  const min = parseWon(v.min_order) ?? 0;
  const share = previewShare(fee, min, tiersOf(v), people);
  const at = orderAtMs(v, now);
  return (
    <fieldset className="order-fields" data-testid="order-fields" disabled={frozen}>
      <legend>공동 주문</legend>
      {!locked && (
        <label className="toggle">
          <input type="checkbox" checked={v.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="order-enabled" />
          <span>가게·배달비·주문 시각을 함께 올려요 (배달비를 자동으로 나눠요)</span>
        </label>
      )}
      {frozen && <p className="hint">주문 정보는 모집 중일 때만 바꿀 수 있어요.</p>}
      {v.enabled && (
        <>
          <Field label="가게" name="store_name" errors={errors.store_name}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="text" value={v.store_name} onChange={(e) => set({ store_name: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder="예: 교촌치킨 사직점" data-testid="order-store-name" />
            )}
          </Field>
          <Field label="메뉴 링크 (선택)" name="menu_url" errors={errors.menu_url}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="url" inputMode="url" value={v.menu_url} onChange={(e) => set({ menu_url: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder="https://" data-testid="order-menu-url" />
            )}
          </Field>
          <div className="grid-2">
            <Field label="배달비" name="delivery_fee" errors={errors.delivery_fee}>
              {({ id, describedBy, invalid }) => (
                <MoneyInput id={id} value={v.delivery_fee} onChange={(x) => set({ delivery_fee: x })} aria-describedby={describedBy} aria-invalid={invalid || undefined} data-testid="order-fee-input" />
              )}
            </Field>
            <Field label="최소 주문 금액" name="min_order" errors={errors.min_order}>
              {({ id, describedBy, invalid }) => (
                <MoneyInput id={id} value={v.min_order} onChange={(x) => set({ min_order: x })} aria-describedby={describedBy} aria-invalid={invalid || undefined} data-testid="order-min-input" />
              )}
            </Field>
          </div>
          <div className="tiers">
            {v.tiers.map((t, i) => (
              <div key={i} className="tier-row" data-testid="fee-tier">
                <MoneyInput value={t.from_total} onChange={(x) => set({ tiers: v.tiers.map((r, j) => (j === i ? { ...r, from_total: x } : r)) })} aria-label={`${i + 1}번째 구간: 주문 금액`} />
                <span className="small">이상이면</span>
                <MoneyInput value={t.fee} onChange={(x) => set({ tiers: v.tiers.map((r, j) => (j === i ? { ...r, fee: x } : r)) })} aria-label={`${i + 1}번째 구간: 배달비`} />
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => set({ tiers: v.tiers.filter((_, j) => j !== i) })} aria-label={`${i + 1}번째 구간 빼기`}>
                  ✕
                </button>
              </div>
            ))}
            {errors.fee_tiers && <ul className="field-errors" data-testid="error-fee_tiers">{errors.fee_tiers.map((m, i) => <li key={i}>{m}</li>)}</ul>}
            {v.tiers.length < TIERS_MAX && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => set({ tiers: [...v.tiers, { from_total: '', fee: '' }] })} data-testid="fee-tier-add">
                + 금액별 배달비 구간 추가 (선택)
              </button>
            )}
          </div>
          <p className="fee-preview" data-testid="fee-preview" data-value={share}>
            {people}명이 최소 주문 금액을 채우면 1인 배달비 약 <strong>{won(share)}</strong>
          </p>

          <div className="field">
            <span className="label" id="order-at-label">주문 시각</span>
            <div className="chips" role="group" aria-labelledby="order-at-label">
              {v.when === 'keep' && (
                <button type="button" className="chip" aria-pressed="true">
                  그대로 ({clockAt(fromKstLocal(v.custom))})
                </button>
              )}
              {WHEN.map((w) => (
                <button key={w.key} type="button" className="chip" aria-pressed={v.when === w.key} onClick={() => set({ when: w.key })} data-testid={`order-when-${w.key}`}>
                  {w.label}
                </button>
              ))}
            </div>
            {v.when === 'custom' && (
              <input type="datetime-local" value={v.custom} onChange={(e) => set({ custom: e.target.value })} aria-labelledby="order-at-label" data-testid="order-at-input" />
            )}
            {clockAt(at) && <div className="hint">{clockAt(at)}에 주문해요 (한국 시간)</div>}
            {errors.order_at && <ul className="field-errors" data-testid="error-order_at">{errors.order_at.map((m, i) => <li key={i}>{m}</li>)}</ul>}
          </div>

          <Field label="받을 곳" name="pickup_spot" errors={errors.pickup_spot}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="text" value={v.pickup_spot} onChange={(e) => set({ pickup_spot: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder="예: 101동 정문 앞" data-testid="order-pickup" />
            )}
          </Field>
          <Field label="받을 곳 메모 (선택)" name="pickup_note" errors={errors.pickup_note}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="text" value={v.pickup_note} onChange={(e) => set({ pickup_note: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder="예: 도착하면 채팅으로 알려 드려요" data-testid="order-pickup-note" />
            )}
          </Field>
          <label className="toggle">
            <input type="checkbox" checked={v.close_on_min} onChange={(e) => set({ close_on_min: e.target.checked })} data-testid="order-close-on-min" />
            <span>최소 주문 금액을 채우면 모집을 마감해요</span>
          </label>
        </>
      )}
    </fieldset>
  );
}

const clockAt = (ms: number | null) => (ms === null || Number.isNaN(ms) ? '' : orderClock(new Date(ms).toISOString()));
