import { FormEvent, useState } from 'react';
import { api, ApiError, errorMessage } from '../lib/api';
import { FieldErrors, hasErrors, mapServerErrors } from '../lib/errors';
import { Link, useSearchParams } from '../lib/router';
import { Field, FormErrors } from '../components/ui';
import { useApi, useDocumentTitle } from '../lib/hooks';
import { PASSWORD_MIN } from '../lib/constants';
import type { SignupInfo } from '../lib/moderation';

/**
 * /reset-password?token=… sets a new password with a one-time link; without
 * a token it asks for the link by e-mail (when the server can send mail).
 */
export function ResetPassword() {
  useDocumentTitle('비밀번호 재설정');
  const token = useSearchParams().get('token');
  return <section className="panel narrow">{token ? <NewPassword token={token} /> : <RequestLink />}</section>;
}

function NewPassword({ token }: { token: string }) {
  const [p1, setP1] = useState('');
  const [p2, setP2] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v: FieldErrors = {};
    if ([...p1].length < PASSWORD_MIN) v.password1 = [`비밀번호는 ${PASSWORD_MIN}자 이상이어야 해요.`];
    if (p1 !== p2) v.password2 = ['비밀번호가 일치하지 않아요.'];
    setErrors(v);
    setFormErrors([]);
    if (hasErrors(v)) return;
    setBusy(true);
    try {
      const r = await api<{ message: string }>('/api/user/reset-password/', {
        method: 'POST',
        body: { token, password1: p1, password2: p2 },
      });
      setDone(r.message);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const m = mapServerErrors(err.body, ['password1', 'password2']);
        setErrors(m.fields);
        setFormErrors(m.nonField);
      } else setFormErrors([errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <>
        <h1>비밀번호 재설정</h1>
        <p className="alert alert-success" role="status" data-testid="reset-done">
          {done}
        </p>
        <Link className="btn btn-primary btn-block" to="/login/">
          로그인하러 가기
        </Link>
      </>
    );
  return (
    <>
      <h1>새 비밀번호 정하기</h1>
      <FormErrors errors={formErrors} />
      <form onSubmit={submit} noValidate>
        <Field label="새 비밀번호" name="password1" errors={errors.password1} hint={`${PASSWORD_MIN}자 이상`}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={p1}
              onChange={(e) => setP1(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              data-testid="reset-password1"
              required
            />
          )}
        </Field>
        <Field label="새 비밀번호 확인" name="password2" errors={errors.password2}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={p2}
              onChange={(e) => setP2(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              data-testid="reset-password2"
              required
            />
          )}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="reset-submit">
          {busy ? '바꾸는 중…' : '비밀번호 바꾸기'}
        </button>
      </form>
    </>
  );
}

function RequestLink() {
  const { data: info } = useApi<SignupInfo>('/api/user/signup/');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [formErrors, setFormErrors] = useState<string[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!email.trim()) {
      setFormErrors(['이메일을 입력해 주세요.']);
      return;
    }
    setBusy(true);
    setFormErrors([]);
    try {
      const r = await api<{ message: string }>('/api/user/reset-request/', {
        method: 'POST',
        body: { email: email.trim() },
      });
      setDone(r.message);
    } catch (err) {
      setFormErrors([errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>비밀번호를 잊으셨나요?</h1>
      {info && !info.reset_by_email ? (
        <p data-testid="reset-ask-operator">
          이 서버는 메일을 보내지 않아요. 운영자에게 비밀번호 재설정 링크를 요청해 주세요. 링크는 한 시간 동안 한 번만 쓸
          수 있어요.
        </p>
      ) : done ? (
        <p className="alert alert-success" role="status" data-testid="reset-requested">
          {done}
        </p>
      ) : (
        <>
          <FormErrors errors={formErrors} />
          <form onSubmit={submit} noValidate>
            <Field label="가입한 이메일" name="email">
              {({ id, describedBy }) => (
                <input
                  id={id}
                  type="email"
                  autoComplete="email"
                  inputMode="email"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  aria-describedby={describedBy}
                  data-testid="reset-email"
                  required
                />
              )}
            </Field>
            <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="reset-request">
              {busy ? '보내는 중…' : '재설정 링크 받기'}
            </button>
          </form>
        </>
      )}
      <p className="muted center">
        <Link to="/login/">로그인으로 돌아가기</Link>
      </p>
    </>
  );
}
