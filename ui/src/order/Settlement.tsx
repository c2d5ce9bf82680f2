import { useState } from 'react';
import { errorMessage } from '../lib/api';
import type { Order } from '../lib/types';
import { accountNumber, myLine, won } from './money';
import { orderApi, OrderAct } from './orderApi';

const INFO_MAX = 200;

interface Props {
  roomId: string;
  order: Order;
  myId: number;
  organiserId: number;
  act: OrderAct;
}

/** How to pay (the organiser writes it), copy the account, 보냈어요, and who still owes. */
export function Settlement({ roomId, order, myId, organiserId, act }: Props) {
  const organiser = myId === organiserId;
  const me = myLine(order, myId);
  const finished = order.state === 'settled' || order.state === 'cancelled';
  const paying = order.state === 'locked' || order.state === 'ordered' || order.state === 'arrived';
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(order.payment_info);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState('');
  const acct = accountNumber(order.payment_info);
  const owing = order.members.filter((m) => m.user.id !== organiserId && m.to_pay > 0 && m.paid !== 'confirmed');

  async function run(fn: () => Promise<Order>) {
    setBusy(true);
    setError('');
    try {
      await act(fn);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function copy(v: string) {
    try {
      await navigator.clipboard.writeText(v);
      setCopied('복사했어요');
    } catch {
      setCopied('복사하지 못했어요. 길게 눌러 복사해 주세요.');
    }
  }

  if (order.state === 'cancelled') return null;
  const tooLong = [...text.trim()].length > INFO_MAX;

  return (
    <section className="settlement" aria-label="정산" data-testid="settlement">
      <h3>정산</h3>
      <div className="pay-info">
        <span className="muted small">보낼 곳</span>
        {editing ? (
          <div className="pay-edit">
            <input
              type="text"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="예: 카카오뱅크 3333-01-1234567 김민수, 또는 토스/카카오페이 링크"
              aria-label="받을 방법"
              aria-invalid={tooLong || undefined}
              data-testid="payment-info-input"
            />
            <div className="row">
              <button
                type="button"
                className="btn btn-sm btn-primary"
                disabled={busy || tooLong}
                onClick={async () => (await run(() => orderApi.paymentInfo(roomId, text.trim()))) && setEditing(false)}
                data-testid="payment-info-save"
              >
                저장
              </button>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setEditing(false)}>
                그만두기
              </button>
            </div>
            {tooLong && <p className="field-errors">{INFO_MAX}자까지 적을 수 있어요.</p>}
          </div>
        ) : (
          <p className="pay-text" data-testid="payment-info">
            {order.payment_info || (organiser ? '받을 계좌나 송금 링크를 적어 주세요.' : '방장이 아직 받을 방법을 적지 않았어요.')}
          </p>
        )}
        {!editing && (
          <div className="row">
            {acct && (
              <button type="button" className="btn btn-sm" onClick={() => copy(acct)} data-testid="payment-copy">
                📋 계좌번호 복사
              </button>
            )}
            {organiser && !finished && (
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={() => {
                  setText(order.payment_info);
                  setEditing(true);
                }}
                data-testid="payment-info-edit"
              >
                {order.payment_info ? '고치기' : '받을 방법 적기'}
              </button>
            )}
            {copied && (
              <span className="small muted" role="status">
                {copied}
              </span>
            )}
          </div>
        )}
      </div>

      {me && !organiser && me.to_pay > 0 && (
        <div className="my-pay" data-testid="my-payment" data-paid={me.paid}>
          <span>
            내가 보낼 돈 <strong data-testid="my-to-pay">{won(me.to_pay)}</strong>
          </span>
          {me.paid === 'confirmed' ? (
            <span className="paid-mark paid-confirmed">방장이 받았어요 ✓</span>
          ) : me.paid === 'sent' ? (
            <span className="paid-mark paid-sent">보냈어요 · 방장 확인 기다리는 중</span>
          ) : paying ? (
            <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => run(() => orderApi.sent(roomId))} data-testid="payment-sent">
              보냈어요
            </button>
          ) : (
            <span className="muted small">마감 뒤에 보내 주세요</span>
          )}
        </div>
      )}

      {paying && (
        <p className="small" data-testid="payment-owing">
          {owing.length === 0
            ? '모두 정산했어요.'
            : `아직 ${owing.length}명: ${owing.map((m) => `${m.user.username} ${won(m.to_pay)}`).join(', ')}`}
        </p>
      )}
      {order.state === 'settled' && <p className="alert alert-success">모두 정산을 마쳤어요.</p>}
      {error && (
        <p className="field-errors" role="alert" data-testid="payment-error">
          {error}
        </p>
      )}
    </section>
  );
}
