import { FormEvent, useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { REPORT_REASONS, REPORT_TEXT_MAX, ReportTarget, TARGET_LABEL, validateReport } from '../lib/moderation';

/**
 * "신고" (report) and, for another resident's content, "차단" (block): a small
 * inline form under a post or beside a message.
 *
 * With onClose (a chat message's own 신고 link opened it) the form shows at
 * once, 취소 and 닫기 call onClose, and after a report only 차단 and 닫기 stay.
 */
export function ReportBlock({
  target,
  id,
  writerId,
  onBlocked,
  onClose,
}: {
  target: ReportTarget;
  id: number;
  /** the account to block; omit to offer no block */
  writerId?: number;
  onBlocked?: () => void;
  onClose?: () => void;
}) {
  const inline = onClose !== undefined;
  const [open, setOpen] = useState(inline);
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');

  async function send(e: FormEvent) {
    e.preventDefault();
    const v = validateReport(reason, text);
    setError(v ?? '');
    if (v) return;
    setBusy(true);
    try {
      await api('/api/reports/', { method: 'POST', body: { target, id, reason, text: text.trim() } });
      setDone('신고했어요. 운영자가 확인할게요.');
      setOpen(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function block() {
    if (!writerId) return;
    setBusy(true);
    setError('');
    try {
      await api('/api/user/blocks/', { method: 'POST', body: { user_id: writerId } });
      setDone('차단했어요. 이 사용자의 글과 메시지가 더는 보이지 않아요.');
      onBlocked?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      className={inline ? 'report-block report-block-inline' : 'report-block'}
      aria-label={`${TARGET_LABEL[target]} 신고`}
      data-testid={inline ? `report-block-${target}` : undefined}
    >
      {done && (
        <p className="alert alert-success" role="status" data-testid="report-done">
          {done}
        </p>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="report-error">
          {error}
        </p>
      )}
      {!open ? (
        <div className="row">
          {!inline && (
            <button type="button" className="btn btn-ghost" onClick={() => setOpen(true)} data-testid="report-button">
              🚩 신고
            </button>
          )}
          {writerId !== undefined && (
            <button type="button" className="btn btn-ghost" onClick={block} disabled={busy} data-testid="block-button">
              🚫 작성자 차단
            </button>
          )}
          {inline && (
            <button type="button" className="btn btn-ghost" onClick={onClose} data-testid="report-close">
              닫기
            </button>
          )}
        </div>
      ) : (
        <form onSubmit={send} className="stack" noValidate>
          <fieldset>
            <legend>신고 사유</legend>
            {REPORT_REASONS.map((r) => (
              <label key={r.value} className="radio">
                <input
                  type="radio"
                  name="report-reason"
                  value={r.value}
                  checked={reason === r.value}
                  onChange={() => setReason(r.value)}
                  data-testid={`report-reason-${r.value}`}
                />{' '}
                {r.label}
              </label>
            ))}
          </fieldset>
          <label>
            자세한 내용 (선택, {REPORT_TEXT_MAX}자까지)
            <textarea
              value={text}
              maxLength={REPORT_TEXT_MAX}
              onChange={(e) => setText(e.target.value)}
              rows={3}
              data-testid="report-text"
            />
          </label>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="report-submit">
              {busy ? '보내는 중…' : '신고하기'}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => (inline ? onClose() : setOpen(false))}>
              취소
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
