import { useState } from 'react';
import { ApiError, errorMessage } from '../lib/api';
import type { CartItem, Order } from '../lib/types';
import { Sheet } from './Sheet';
import { myLine, parseWon, won } from './money';
import { orderApi, OrderAct } from './orderApi';
import { blankItem } from './orderState';

export const CART_MAX = 20;
const NAME_MAX = 40;
const NOTE_MAX = 60;
const PRICE_MAX = 1_000_000;
const QTYS = Array.from({ length: 20 }, (_, i) => i + 1);

interface Draft {
  name: string;
  price: string;
  qty: number;
  note: string;
}

type RowErrors = Record<number, Partial<Record<keyof Draft, string>>>;

const toDraft = (it: CartItem): Draft => ({ name: it.name, price: String(it.price), qty: it.qty, note: it.note ?? '' });

/** Client checks mirroring the server's bounds; the server has the last word. */
export function checkCart(rows: Draft[]): RowErrors {
  const errs: RowErrors = {};
  rows.forEach((r, i) => {
    const e: Partial<Record<keyof Draft, string>> = {};
    const name = r.name.trim();
    if (!name) e.name = '메뉴 이름을 적어 주세요.';
    else if ([...name].length > NAME_MAX) e.name = `메뉴 이름은 ${NAME_MAX}자까지예요.`;
    const p = parseWon(r.price);
    if (p === null) e.price = '가격을 적어 주세요.';
    else if (p > PRICE_MAX) e.price = '가격은 1,000,000원까지예요.';
    if ([...r.note.trim()].length > NOTE_MAX) e.note = `메모는 ${NOTE_MAX}자까지예요.`;
    if (Object.keys(e).length) errs[i] = e;
  });
  return errs;
}

/** items[1].qty → row 1, qty (the server's error keys). */
function serverRowErrors(body: unknown): { rows: RowErrors; other: string[] } {
  const rows: RowErrors = {};
  const other: string[] = [];
  const errors = (body as { errors?: Record<string, string[]> } | null)?.errors;
  if (!errors || typeof errors !== 'object') return { rows, other };
  for (const [k, msgs] of Object.entries(errors)) {
    const m = k.match(/^items\[(\d+)\]\.(name|price|qty|note)$/);
    const text = Array.isArray(msgs) ? msgs.join(' ') : String(msgs);
    if (m) (rows[Number(m[1])] ??= {})[m[2] as keyof Draft] = text;
    else other.push(text);
  }
  return { rows, other };
}

interface Props {
  roomId: string;
  order: Order;
  myId: number;
  act: OrderAct;
  onClose: () => void;
}

/** My cart: add, edit, remove items, then 준비 완료. Editable only while recruiting. */
export function CartSheet({ roomId, order, myId, act, onClose }: Props) {
  const me = myLine(order, myId);
  const [rows, setRows] = useState<Draft[]>(() => (me?.items ?? []).map(toDraft));
  const [dirty, setDirty] = useState(false);
  const [rowErrors, setRowErrors] = useState<RowErrors>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const open = order.state === 'recruiting';

  if (!me) return null;

  const edit = (i: number, patch: Partial<Draft>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setDirty(true);
  };

  async function save() {
    const errs = checkCart(rows);
    setRowErrors(errs);
    setError('');
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const items: CartItem[] = rows.map((r) => ({ name: r.name.trim(), price: parseWon(r.price) ?? 0, qty: r.qty, note: r.note.trim() }));
      const o = await act(() => orderApi.cart(roomId, items));
      setRows((myLine(o, myId)?.items ?? []).map(toDraft));
      setDirty(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const s = serverRowErrors(e.body);
        setRowErrors(s.rows);
        setError(s.other.join(' ') || (Object.keys(s.rows).length ? '' : errorMessage(e)));
      } else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function ready(v: boolean) {
    setBusy(true);
    setError('');
    try {
      await act(() => orderApi.ready(roomId, v));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Sheet title="내 장바구니" onClose={onClose} testId="cart-sheet">
      {!open && <p className="alert alert-info">주문이 마감되어 장바구니를 바꿀 수 없어요.</p>}
      {rows.length === 0 && <p className="muted">아직 담은 메뉴가 없어요.</p>}
      {!open && me.items.length > 0 && (
        <ul className="om-items cart-frozen" data-testid="cart-frozen">
          {me.items.map((it, i) => (
            <li key={i}>
              <span>
                {it.name}
                {it.note && <span className="muted"> ({it.note})</span>}
              </span>
              <span className="om-price">
                {won(it.price)} × {it.qty}
              </span>
            </li>
          ))}
        </ul>
      )}
      <ol className="cart-rows" hidden={!open}>
        {rows.map((r, i) => {
          const e = rowErrors[i] ?? {};
          return (
            <li key={i} className="cart-row" data-testid="cart-row">
              <div className="cart-line">
                <label className="cart-name">
                  <span className="sr-only">메뉴 {i + 1}</span>
                  <input
                    type="text"
                    value={r.name}
                    placeholder="메뉴 (예: 후라이드)"
                    maxLength={NAME_MAX * 2}
                    disabled={!open}
                    onChange={(ev) => edit(i, { name: ev.target.value })}
                    aria-invalid={!!e.name || undefined}
                    data-testid="cart-item-name"
                  />
                </label>
                <button
                  type="button"
                  className="btn btn-danger-ghost btn-sm"
                  onClick={() => {
                    setRows((rs) => rs.filter((_, j) => j !== i));
                    setRowErrors({});
                    setDirty(true);
                  }}
                  disabled={!open}
                  aria-label={`${r.name || `메뉴 ${i + 1}`} 빼기`}
                  data-testid="cart-item-remove"
                >
                  빼기
                </button>
              </div>
              <div className="cart-line">
                <label className="cart-price">
                  <span className="sr-only">가격</span>
                  <input
                    type="text"
                    inputMode="numeric"
                    value={r.price}
                    placeholder="가격"
                    disabled={!open}
                    onChange={(ev) => edit(i, { price: ev.target.value.replace(/[^\d]/g, '').slice(0, 7) })}
                    aria-invalid={!!e.price || undefined}
                    data-testid="cart-item-price"
                  />
                  <span aria-hidden="true">원</span>
                </label>
                <label className="cart-qty">
                  <span className="sr-only">수량</span>
                  <select value={r.qty} disabled={!open} onChange={(ev) => edit(i, { qty: Number(ev.target.value) })} data-testid="cart-item-qty">
                    {QTYS.map((q) => (
                      <option key={q} value={q}>
                        {q}개
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <label className="cart-note">
                <span className="sr-only">메모</span>
                <input
                  type="text"
                  value={r.note}
                  placeholder="메모 (선택, 예: 순살)"
                  disabled={!open}
                  onChange={(ev) => edit(i, { note: ev.target.value })}
                  data-testid="cart-item-note"
                />
              </label>
              {Object.values(e).length > 0 && (
                <p className="field-errors" data-testid="cart-row-error">
                  {Object.values(e).join(' ')}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {open && (
        <button
          type="button"
          className="btn btn-ghost btn-block"
          onClick={() => {
            setRows((rs) => [...rs, { ...toDraft(blankItem()), price: '' }]);
            setDirty(true);
          }}
          disabled={rows.length >= CART_MAX}
          data-testid="cart-add"
        >
          + 메뉴 추가 {rows.length >= CART_MAX ? `(최대 ${CART_MAX}개)` : ''}
        </button>
      )}
      {error && (
        <p className="field-errors" role="alert" data-testid="cart-error">
          {error}
        </p>
      )}
      <dl className="cart-total">
        <div>
          <dt>내 메뉴</dt>
          <dd data-testid="cart-subtotal">{won(me.subtotal)}</dd>
        </div>
        <div>
          <dt>배달비 몫</dt>
          <dd data-testid="cart-fee">{won(me.fee)}</dd>
        </div>
        <div>
          <dt>낼 돈</dt>
          <dd data-testid="cart-to-pay">
            <strong>{won(me.to_pay)}</strong>
          </dd>
        </div>
      </dl>
      {dirty && <p className="hint">저장하면 금액이 다시 계산돼요.</p>}
      {open && (
        <div className="row sheet-actions">
          <button type="button" className="btn btn-primary" onClick={save} disabled={busy || !dirty} data-testid="cart-save">
            {busy ? '저장하는 중…' : '저장'}
          </button>
          <button
            type="button"
            className={`btn${me.ready ? ' btn-accent' : ''}`}
            onClick={() => ready(!me.ready)}
            disabled={busy || dirty || me.items.length === 0}
            aria-pressed={me.ready}
            data-testid="cart-ready"
          >
            {me.ready ? '✓ 준비 완료' : '준비 완료'}
          </button>
        </div>
      )}
    </Sheet>
  );
}
