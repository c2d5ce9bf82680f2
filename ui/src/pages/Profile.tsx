import { FormEvent, useState } from 'react';
import { useAuth, useUser } from '../auth';
import { api, ApiError, errorMessage } from '../lib/api';
import { RANGES } from '../lib/constants';
import { FieldErrors } from '../lib/errors';
import { useForm } from '../lib/form';
import { useDocumentTitle } from '../lib/hooks';
import { navigate } from '../lib/router';
import type { User } from '../lib/types';
import { validatePasswordChange } from '../lib/validation';
import { Alert, Field, FormErrors, TextField } from '../components/ui';
import { AddressField } from '../components/AddressField';
import { BlockList } from '../components/BlockList';
import { forgetDevice } from '../push/push';
import { PushSwitch } from '../push/PushSwitch';

const PROFILE_FIELDS = ['username', 'address', 'range'] as const;

function ProfileForm() {
  const user = useUser();
  const { setUser } = useAuth();
  const [username, setUsername] = useState(user.username);
  const [address, setAddress] = useState(user.address);
  const [range, setRange] = useState(user.range);
  const [ok, setOk] = useState(false);
  const check = (): FieldErrors => {
    const errs: FieldErrors = {};
    if (!username.trim()) errs.username = ['닉네임을 입력해 주세요.'];
    if (!address.trim()) errs.address = ['동네(행정동)를 입력해 주세요.'];
    return errs;
  };
  const { errors, formErrors, suggestions, busy, submit, formRef, announcement } = useForm(PROFILE_FIELDS, {
    values: { username, address, range },
    validate: check,
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const errs = check();
    setOk(false);
    const body: Record<string, unknown> = {};
    if (username.trim() !== user.username) body.username = username.trim();
    if (address.trim() !== user.address) body.address = address.trim();
    if (range !== user.range) body.range = range;
    void submit(errs, async () => {
      // The server answers the bare user object here (the original's shape).
      if (Object.keys(body).length > 0) setUser(await api<User>('/api/user/update/', { method: 'POST', body }));
      setOk(true);
    });
  }

  return (
    <section className="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">프로필</h2>
      <p className="muted">이메일: {user.email}</p>
      <FormErrors errors={formErrors} announcement={announcement} />
      {ok && <Alert kind="success">저장했어요.</Alert>}
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <TextField
          label="닉네임"
          name="username"
          autoComplete="nickname"
          value={username}
          onChange={setUsername}
          errors={errors.username}
          testId="profile-username"
        />
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
  const [ok, setOk] = useState('');
  const { errors, formErrors, busy, submit, formRef, announcement } = useForm(PW_FIELDS, {
    values: v,
    validate: () => validatePasswordChange(v),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setOk('');
    void submit(validatePasswordChange(v), async () => {
      const r = await api<{ message: string }>('/api/user/changepassword/', { method: 'POST', body: v });
      setOk(r.message);
      setV({ current_password: '', new_password1: '', new_password2: '' });
    });
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
      <FormErrors errors={formErrors} announcement={announcement} />
      {ok && <Alert kind="success">{ok}</Alert>}
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        {PW_FIELDS.map((k) => (
          <TextField
            key={k}
            label={labels[k][0]}
            name={k}
            type="password"
            autoComplete={labels[k][1]}
            value={v[k]}
            onChange={(val) => setV((o) => ({ ...o, [k]: val }))}
            errors={errors[k]}
            testId={`pw-${k}`}
            revealable
          />
        ))}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="pw-submit">
          {busy ? '바꾸는 중…' : '비밀번호 변경'}
        </button>
      </form>
    </section>
  );
}

const DELETE_FIELDS = ['password'] as const;

function DangerZone() {
  const { setUser } = useAuth();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [logoutError, setLogoutError] = useState('');
  const [loggingOut, setLoggingOut] = useState(false);
  const del = useForm(DELETE_FIELDS, {
    values: { password },
    validate: (): FieldErrors => (password ? {} : { password: ['비밀번호를 입력해 주세요.'] }),
  });
  const busy = loggingOut || del.busy;

  async function logout() {
    setLoggingOut(true);
    setLogoutError('');
    // Before the session ends: the subscription is deleted on the server
    // while we may still ask, and the service worker drops its caches.
    await forgetDevice();
    try {
      await api('/api/user/logout/', { method: 'POST', quiet401: true });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        setLogoutError(errorMessage(e));
        setLoggingOut(false);
        return;
      }
    }
    setUser(null);
    navigate('/', { replace: true });
  }

  function remove(e: FormEvent) {
    e.preventDefault();
    setLogoutError('');
    const errs: FieldErrors = {};
    if (!password) errs.password = ['비밀번호를 입력해 주세요.'];
    else if (!confirm) errs.non_field_errors = ['탈퇴 확인에 체크해 주세요.'];
    void del.submit(errs, async () => {
      await api('/api/user/delete/', { method: 'POST', body: { password } });
      await forgetDevice();
      setUser(null);
      navigate('/', { replace: true });
    });
  }

  return (
    <>
      <section className="panel" aria-labelledby="logout-title">
        <h2 id="logout-title">로그아웃</h2>
        <button type="button" className="btn" onClick={logout} disabled={busy} data-testid="logout-button">
          {loggingOut ? '로그아웃하는 중…' : '로그아웃'}
        </button>
        {logoutError && <Alert>{logoutError}</Alert>}
      </section>
      <section className="panel danger" aria-labelledby="delete-title">
        <h2 id="delete-title">회원 탈퇴</h2>
        <p className="muted small">탈퇴하면 다시 로그인할 수 없어요. 쓴 글은 남아 있어요.</p>
        <FormErrors errors={del.formErrors} announcement={del.announcement} />
        <form ref={del.formRef} onSubmit={remove} noValidate>
          <TextField
            label="비밀번호"
            name="delete-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            errors={del.errors.password}
            testId="delete-password"
          />
          <label className="check">
            <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} data-testid="delete-confirm" />
            정말 탈퇴할게요
          </label>
          <button type="submit" className="btn btn-danger" disabled={busy} data-testid="delete-account-button">
            {del.busy ? '탈퇴하는 중…' : '회원 탈퇴'}
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
      <PushSwitch />
      <BlockList />
      <DangerZone />
    </div>
  );
}
