import { FormEvent, useState } from 'react';
import { api } from '../lib/api';
import { FieldErrors } from '../lib/errors';
import { useForm } from '../lib/form';
import { Link, useSearchParams } from '../lib/router';
import { FormErrors, TextField } from '../components/ui';
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

const NEW_FIELDS = ['password1', 'password2'] as const;

function checkNewPassword(p1: string, p2: string): FieldErrors {
  const v: FieldErrors = {};
  if ([...p1].length < PASSWORD_MIN) v.password1 = [`비밀번호는 ${PASSWORD_MIN}자 이상이어야 해요.`];
  if (p1 !== p2) v.password2 = ['비밀번호가 일치하지 않아요.'];
  return v;
}

function NewPassword({ token }: { token: string }) {
  const [p1, setP1] = useState('');
  const [p2, setP2] = useState('');
  const [done, setDone] = useState('');
  const { errors, formErrors, busy, submit, formRef, announcement } = useForm(NEW_FIELDS, {
    values: { password1: p1, password2: p2 },
    validate: () => checkNewPassword(p1, p2),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void submit(checkNewPassword(p1, p2), async () => {
      const r = await api<{ message: string }>('/api/user/reset-password/', {
        method: 'POST',
        body: { token, password1: p1, password2: p2 },
      });
      setDone(r.message);
    });
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
      <FormErrors errors={formErrors} announcement={announcement} />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <TextField
          label="새 비밀번호"
          name="password1"
          type="password"
          autoComplete="new-password"
          value={p1}
          onChange={setP1}
          errors={errors.password1}
          hint={`${PASSWORD_MIN}자 이상`}
          testId="reset-password1"
          revealable
          required
        />
        <TextField
          label="새 비밀번호 확인"
          name="password2"
          type="password"
          autoComplete="new-password"
          value={p2}
          onChange={setP2}
          errors={errors.password2}
          testId="reset-password2"
          revealable
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="reset-submit">
          {busy ? '바꾸는 중…' : '비밀번호 바꾸기'}
        </button>
      </form>
    </>
  );
}

const REQUEST_FIELDS = ['email'] as const;

function checkEmail(email: string): FieldErrors {
  return email.trim() ? {} : { email: ['이메일을 입력해 주세요.'] };
}

function RequestLink() {
  const { data: info } = useApi<SignupInfo>('/api/user/signup/');
  const [email, setEmail] = useState('');
  const [done, setDone] = useState('');
  const { errors, formErrors, busy, submit, formRef, announcement } = useForm(REQUEST_FIELDS, {
    values: { email },
    validate: () => checkEmail(email),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void submit(checkEmail(email), async () => {
      const r = await api<{ message: string }>('/api/user/reset-request/', {
        method: 'POST',
        body: { email: email.trim() },
      });
      setDone(r.message);
    });
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
          <FormErrors errors={formErrors} announcement={announcement} />
          <form ref={formRef} onSubmit={onSubmit} noValidate>
            <TextField
              label="가입한 이메일"
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              value={email}
              onChange={setEmail}
              errors={errors.email}
              testId="reset-email"
              required
            />
            <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="reset-request">
              {busy ? '보내는 중…' : '재설정 링크 받기'}
            </button>
          </form>
        </>
      )}
      <p className="muted center">
        <Link className="tap-link" to="/login/">
          로그인으로 돌아가기
        </Link>
      </p>
    </>
  );
}
