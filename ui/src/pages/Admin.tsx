import { useState } from 'react';
import { useUser } from '../auth';
import { api, errorMessage, path } from '../lib/api';
import { useApi, useDocumentTitle } from '../lib/hooks';
import {
  ACTION_LABEL,
  actionsFor,
  AdminReport,
  AuditEntry,
  PendingUser,
  reasonLabel,
  StaffAction,
  TARGET_LABEL,
} from '../lib/moderation';
import { ErrorNote, ErrorPanel, Loading } from '../components/ui';

function when(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('ko-KR');
}

/** 관리: the staff queue of reports, accounts waiting for approval and the audit log. */
export function Admin() {
  useDocumentTitle('관리');
  const user = useUser();
  const [version, setVersion] = useState(0);
  if (!user.is_staff) return <ErrorPanel title="관리자만 볼 수 있어요" message="운영진 계정으로 로그인해 주세요." />;
  return (
    <section className="panel admin" data-testid="admin-page">
      <h1>관리</h1>
      <Reports onChange={() => setVersion((v) => v + 1)} />
      <Pending onChange={() => setVersion((v) => v + 1)} />
      <Audit version={version} />
    </section>
  );
}

function Reports({ onChange }: { onChange: () => void }) {
  const [all, setAll] = useState(false);
  const { data, error, loading, reload } = useApi<{ reports: AdminReport[] }>(
    `/api/admin/reports/${all ? '?all=1' : ''}`,
  );
  const [busy, setBusy] = useState(0);
  const [msg, setMsg] = useState('');

  async function resolve(r: AdminReport, action: StaffAction) {
    setBusy(r.id);
    setMsg('');
    try {
      await api(path`/api/admin/reports/${r.id}/resolve/`, { method: 'POST', body: { action } });
      setMsg(`신고 #${r.id}: ${ACTION_LABEL[action]} 처리했어요.`);
      reload();
      onChange();
    } catch (e) {
      setMsg(errorMessage(e));
    } finally {
      setBusy(0);
    }
  }

  return (
    <section aria-labelledby="admin-reports">
      <div className="row">
        <h2 id="admin-reports">신고</h2>
        <label className="radio">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="admin-all" />{' '}
          처리한 신고도 보기
        </label>
      </div>
      {msg && (
        <p className="alert alert-info" role="status" data-testid="admin-message">
          {msg}
        </p>
      )}
      {loading && !data ? (
        <Loading label="신고를 불러오는 중" />
      ) : error ? (
        <ErrorNote error={error} onRetry={reload} />
      ) : !data?.reports.length ? (
        <p className="muted" data-testid="admin-no-reports">
          처리할 신고가 없어요.
        </p>
      ) : (
        <ul className="admin-list" data-testid="admin-reports">
          {data.reports.map((r) => (
            <li key={r.id} className="admin-item" data-testid="admin-report" data-report-id={r.id}>
              <p>
                <strong>
                  #{r.id} {TARGET_LABEL[r.target]} {r.target_id}
                </strong>{' '}
                · {reasonLabel(r.reason)} · 신고한 사람 {r.reporter.username} · {when(r.created_at)}
              </p>
              <blockquote data-testid="admin-report-summary">{r.target_summary}</blockquote>
              {r.text && <p className="muted">“{r.text}”</p>}
              {r.status === 'open' ? (
                <div className="row">
                  {actionsFor(r.target, r.target_owner).map((a) => (
                    <button
                      key={a}
                      type="button"
                      className={a === 'dismiss' ? 'btn btn-ghost' : a === 'hide' ? 'btn' : 'btn btn-danger-ghost'}
                      disabled={busy !== 0}
                      onClick={() => resolve(r, a)}
                      data-testid={`admin-${a}`}
                    >
                      {ACTION_LABEL[a]}
                    </button>
                  ))}
                </div>
              ) : (
                <p className="muted">
                  {ACTION_LABEL[r.action] ?? r.action} · {r.resolved_by?.username ?? 'CLI'} · {when(r.resolved_at)}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Pending({ onChange }: { onChange: () => void }) {
  const { data, error, reload } = useApi<{ users: PendingUser[] }>('/api/admin/users/pending/');
  const [msg, setMsg] = useState('');
  async function approve(u: PendingUser) {
    setMsg('');
    try {
      await api(path`/api/admin/users/${u.id}/approve/`, { method: 'POST' });
      setMsg(`${u.username}님의 가입을 승인했어요.`);
      reload();
      onChange();
    } catch (e) {
      setMsg(errorMessage(e));
    }
  }
  return (
    <section aria-labelledby="admin-pending">
      <h2 id="admin-pending">가입 승인 대기</h2>
      {msg && (
        <p className="alert alert-info" role="status">
          {msg}
        </p>
      )}
      {error ? (
        <ErrorNote error={error} onRetry={reload} />
      ) : !data?.users.length ? (
        <p className="muted">승인을 기다리는 계정이 없어요.</p>
      ) : (
        <ul className="admin-list" data-testid="admin-pending">
          {data.users.map((u) => (
            <li key={u.id} className="admin-item row">
              <span>
                {u.username} &lt;{u.email}&gt; · {u.address} · {when(u.created_at)}
              </span>
              <button type="button" className="btn btn-primary" onClick={() => approve(u)} data-testid="admin-approve">
                승인
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Audit({ version }: { version: number }) {
  // The version changes the path after every action, which reloads the log.
  const { data, error, reload } = useApi<{ entries: AuditEntry[] }>(`/api/admin/audit/${version ? `?v=${version}` : ''}`);
  return (
    <section aria-labelledby="admin-audit">
      <h2 id="admin-audit">처리 기록</h2>
      {error ? (
        <ErrorNote error={error} onRetry={reload} />
      ) : !data?.entries.length ? (
        <p className="muted">아직 기록이 없어요.</p>
      ) : (
        <ul className="admin-list" data-testid="admin-audit">
          {data.entries.map((e) => (
            <li key={e.id}>
              {when(e.created_at)} · {e.actor} · {ACTION_LABEL[e.action] ?? e.action} · {e.target} {e.target_id}
              {e.detail && <span className="muted"> ({e.detail})</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
