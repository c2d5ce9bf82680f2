import { useState } from 'react';
import { errorMessage } from '../lib/api';
import type { Order } from '../lib/types';
import { LifecycleStep, OrderAct, orderApi } from './orderApi';

interface Step {
  to: LifecycleStep;
  label: string;
  /** the confirmation question */
  ask: string;
  danger?: boolean;
}

/** The moves the organiser (or staff: cancel only) may make from a state. */
export function stepsFor(order: Order, organiser: boolean, staff: boolean): Step[] {
  const cancel: Step = { to: 'cancelled', label: '주문 취소', ask: '주문을 취소할까요? 되돌릴 수 없어요.', danger: true };
  if (!organiser) return staff && (order.state === 'recruiting' || order.state === 'locked') ? [cancel] : [];
  switch (order.state) {
    case 'recruiting':
      return [{ to: 'locked', label: '주문 마감하기', ask: '주문을 마감할까요? 마감하면 아무도 장바구니를 바꿀 수 없어요.' }, cancel];
    case 'locked':
      return [
        { to: 'ordered', label: '가게에 주문했어요', ask: '가게에 주문을 넣었나요? 모두에게 알려요.' },
        ...(order.can_unlock ? [{ to: 'recruiting' as const, label: '마감 풀기', ask: '마감을 풀까요? 마감 해제는 한 번만 할 수 있어요.' }] : []),
        cancel,
      ];
    case 'ordered':
      return [{ to: 'arrived', label: '음식이 도착했어요', ask: `픽업 장소(${order.pickup_spot})에 도착했다고 알릴까요?` }];
    default:
      return [];
  }
}

/** The organiser's lifecycle buttons, each with a confirmation step (no browser confirm()). */
export function Lifecycle({ roomId, order, organiser, staff, act }: { roomId: string; order: Order; organiser: boolean; staff: boolean; act: OrderAct }) {
  const [asking, setAsking] = useState<LifecycleStep | null>(null);
  const [eta, setEta] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const steps = stepsFor(order, organiser, staff);
  if (!steps.length) return null;
  const step = steps.find((s) => s.to === asking) ?? null;

  async function go(s: Step) {
    setBusy(true);
    setError('');
    try {
      const n = Number(eta);
      await act(() => orderApi.state(roomId, s.to, s.to === 'ordered' && n >= 1 && n <= 240 ? Math.floor(n) : null));
      setAsking(null);
      setEta('');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="order-lifecycle" aria-label="방장 메뉴" data-testid="order-lifecycle">
      <h3>{organiser ? '방장 메뉴' : '운영자 메뉴'}</h3>
      {step ? (
        <div className={`confirm${step.danger ? '' : ' confirm-ok'}`} role="alertdialog" aria-label={step.label} data-testid="order-step-confirm">
          <span>{step.ask}</span>
          {step.to === 'ordered' && (
            <label className="eta">
              도착 예정
              <input type="text" inputMode="numeric" value={eta} onChange={(e) => setEta(e.target.value.replace(/[^\d]/g, '').slice(0, 3))} placeholder="40" data-testid="order-eta" />
              분 뒤 (선택)
            </label>
          )}
          <button type="button" className={`btn btn-sm ${step.danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => go(step)} disabled={busy} data-testid={`order-step-yes-${step.to}`} autoFocus>
            {busy ? '바꾸는 중…' : step.label}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAsking(null)} disabled={busy}>
            그만두기
          </button>
        </div>
      ) : (
        <div className="row">
          {steps.map((s) => (
            <button
              key={s.to}
              type="button"
              className={`btn btn-sm ${s.danger ? 'btn-danger-ghost' : s.to === 'recruiting' ? '' : 'btn-primary'}`}
              onClick={() => setAsking(s.to)}
              data-testid={`order-step-${s.to}`}
            >
              {s.label}
            </button>
          ))}
        </div>
      )}
      {order.state === 'arrived' && organiser && <p className="hint">모두 정산하면 자동으로 정산 완료가 돼요.</p>}
      {error && (
        <p className="field-errors" role="alert" data-testid="order-step-error">
          {error}
        </p>
      )}
    </section>
  );
}
