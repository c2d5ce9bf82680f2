import { FormEvent, useState } from 'react';
import { useAuth, useUser } from '../auth';
import { api, ApiError, errorMessage } from '../lib/api';
import { RANGES } from '../lib/constants';
import { FieldErrors, hasErrors, mapServerErrors } from '../lib/errors';
import { useDocumentTitle } from '../lib/hooks';
import { navigate } from '../lib/router';
import type { User } from '../lib/types';
import { validatePasswordChange } from '../lib/validation';
import { Alert, Field, FormErrors } from '../components/ui';
import { AddressField } from '../components/AddressField';

function ProfileForm() {
  const user = useUser();
  const { setUser } = useAuth();
  const [username, setUsername] = useState(user.username);
  const [address, setAddress] = useState(user.address);
  const [range, setRange] = useState(user.range ?? 0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [ok, setOk] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: FieldErrors = {};
    if (!username.trim()) errs.username = ['닉네임을 입력해 주세요.'];
    if (!address.trim()) errs.address = ['동네(행정동)를 입력해 주세요.'];
    setErrors(errs);
    setFormErrors([]);
    setSuggestions([]);
    setOk(false);
    if (hasErrors(errs)) return;
    const body: Record<string, unknown> = {};
    if (username.trim() !== user.username) body.username = username.trim();
    if (address.trim() !== user.address) body.address = address.trim();
    if (range !== user.range) body.range = range;
    if (Object.keys(body).length === 0) {
      setOk(true);
      return;
    }
    setBusy(true);
    try {
      const u = await api<User | { user: User }>('/api/user/update/', { method: 'POST', body });
      const next = 'user' in u && typeof u.user === 'object' ? u.user : (u as User);
      setUser({ ...user, ...next });
      setOk(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const m = mapServerErrors(err.body, ['username', 'address', 'range']);
        setErrors(m.fields);
        setFormErrors(m.nonField);
        setSuggestions(m.suggestions);
      } else setFormErrors([errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">프로필</h2>
      <p className="muted">이메일: {user.email}</p>
      <FormErrors errors={formErrors} />
      {ok && <Alert kind="success">저장했어요.</Alert>}
      <form onSubmit={submit} noValidate>
        <Field label="닉네임" name="username" errors={errors.username}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              data-testid="profile-username"
            />
          )}
        </Field>
        <AddressField value={address} onChange={setAddress} errors={errors.address} suggestions={suggestions} />
        <Field label="기본으로 볼 범위" name="range" errors={errors.range}>
          {({ id, describedBy }) => (
            <select
              id={id}
              value={range}
              onChange={(e) => setRange(Number(e.target.value))}
              aria-describedby={describedBy}
              data-testid="profile-range"
            >
              {RANGES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="profile-save">
          {busy ? '저장하는 중…' : '저장'}
        </button>
      </form>
    </section>
  );
}

const PW_FIELDS = ['current_password', 'new_password1', 'new_password2'] as const;
type PwKey = (typeof PW_FIELDS)[number];

function PasswordForm() {
  const [v, setV] = useState<Record<PwKey, string>>({ current_password: '', new_password1: '', new_password2: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = validatePasswordChange(v);
    setErrors(errs);
    setFormErrors([]);
    setOk('');
    if (hasErrors(errs)) return;
    setBusy(true);
    try {
      const r = await api<{ message?: string }>('/api/user/changepassword/', { method: 'POST', body: v });
      setOk(r?.message ?? '비밀번호를 바꿨어요.');
      setV({ current_password: '', new_password1: '', new_password2: '' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const m = mapServerErrors(err.body, PW_FIELDS);
        setErrors(m.fields);
        setFormErrors(m.nonField);
      } else setFormErrors([errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  }

  const labels: Record<PwKey, [string, string]> = {
    current_password: ['현재 비밀번호', 'current-password'],
    new_password1: ['새 비밀번호 (8자 이상)', 'new-password'],
    new_password2: ['새 비밀번호 확인', 'new-password'],
  };

  return (
    <section className="panel" aria-labelledby="pw-title">
      <h2 id="pw-title">비밀번호 변경</h2>
      <p className="muted small">바꾸면 다른 기기에서는 로그아웃돼요.</p>
      <FormErrors errors={formErrors} />
      {ok && <Alert kind="success">{ok}</Alert>}
      <form onSubmit={submit} noValidate>
        {PW_FIELDS.map((k) => (
          <Field key={k} label={labels[k][0]} name={k} errors={errors[k]}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="password"
                autoComplete={labels[k][1]}
                value={v[k]}
                onChange={(e) => setV((o) => ({ ...o, [k]: e.target.value }))}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                data-testid={`pw-${k}`}
              />
            )}
          </Field>
        ))}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="pw-submit">
          {busy ? '바꾸는 중…' : '비밀번호 변경'}
        </button>
      </form>
    </section>
  );
}

function DangerZone() {
  const { setUser } = useAuth();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState('');
  const [pwError, setPwError] = useState<string[] | undefined>();
  const [busy, setBusy] = useState<'' | 'logout' | 'delete'>('');

  async function logout() {
    setBusy('logout');
    setError('');
    try {
      await api('/api/user/logout/', { method: 'POST', quiet401: true });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        setError(errorMessage(e));
        setBusy('');
        return;
      }
    }
    setUser(null);
    navigate('/', { replace: true });
  }

  async function remove(e: FormEvent) {
    e.preventDefault();
    setError('');
    setPwError(undefined);
    if (!password) {
      setPwError(['비밀번호를 입력해 주세요.']);
      return;
    }
    if (!confirm) {
      setError('탈퇴 확인에 체크해 주세요.');
      return;
    }
    setBusy('delete');
    try {
      await api('/api/user/delete/', { method: 'POST', body: { password } });
      setUser(null);
      navigate('/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const m = mapServerErrors(err.body, ['password']);
        setPwError(m.fields.password);
        if (m.nonField.length) setError(m.nonField.join(' '));
      } else setError(errorMessage(err));
      setBusy('');
    }
  }

  return (
    <>
      <section className="panel" aria-labelledby="logout-title">
        <h2 id="logout-title">로그아웃</h2>
        <button type="button" className="btn" onClick={logout} disabled={busy !== ''} data-testid="logout-button">
          {busy === 'logout' ? '로그아웃하는 중…' : '로그아웃'}
        </button>
      </section>
      <section className="panel danger" aria-labelledby="delete-title">
        <h2 id="delete-title">회원 탈퇴</h2>
        <p className="muted small">탈퇴하면 다시 로그인할 수 없어요. 쓴 글은 남아 있어요.</p>
        {error && <Alert>{error}</Alert>}
        <form onSubmit={remove} noValidate>
          <Field label="비밀번호" name="delete-password" errors={pwError}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                data-testid="delete-password"
              />
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} data-testid="delete-confirm" />
            정말 탈퇴할게요
          </label>
          <button type="submit" className="btn btn-danger" disabled={busy !== ''} data-testid="delete-account-button">
            {busy === 'delete' ? '탈퇴하는 중…' : '회원 탈퇴'}
          </button>
        </form>
      </section>
    </>
  );
}

export function Profile() {
  useDocumentTitle('내 정보');
  return (
    <div className="stack">
      <h1>내 정보</h1>
      <ProfileForm />
      <PasswordForm />
      <DangerZone />
    </div>
  );
}
