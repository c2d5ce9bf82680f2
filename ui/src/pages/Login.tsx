import { FormEvent, useState } from 'react';
import { api } from '../lib/api';
import { useForm } from '../lib/form';
import { validateLogin } from '../lib/validation';
import { Link, navigate, useSearchParams } from '../lib/router';
import { useAuth } from '../auth';
import { FormErrors, TextField } from '../components/ui';
import { useDocumentTitle } from '../lib/hooks';
import type { User } from '../lib/types';
import { safeNext, withNext } from '../lib/next';

export { safeNext } from '../lib/next';

const FIELDS = ['email', 'password'] as const;

export function Login() {
  useDocumentTitle('로그인');
  const { setUser } = useAuth();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, formErrors, busy, submit, formRef, announcement } = useForm(FIELDS, {
    values: { email, password },
    validate: () => validateLogin({ email, password }),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void submit(validateLogin({ email, password }), async () => {
      const r = await api<{ user: User }>('/api/user/login/', {
        method: 'POST',
        body: { email: email.trim(), password },
      });
      setUser(r.user);
      navigate(safeNext(params.get('next')), { replace: true });
    });
  }

  return (
    <section className="panel narrow">
      <h1>로그인</h1>
      <FormErrors errors={formErrors} announcement={announcement} />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <TextField
          label="이메일"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          value={email}
          onChange={setEmail}
          errors={errors.email}
          testId="login-email"
          required
        />
        <TextField
          label="비밀번호"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          errors={errors.password}
          testId="login-password"
          revealable
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="login-submit">
          {busy ? '로그인하는 중…' : '로그인'}
        </button>
      </form>
      <p className="muted center">
        아직 회원이 아니신가요?{' '}
        <Link className="tap-link" to={withNext('/register/', params.get('next'))}>
          회원가입
        </Link>
      </p>
      <p className="muted center">
        <Link className="tap-link" to="/reset-password/" data-testid="forgot-password">
          비밀번호를 잊으셨나요?
        </Link>
      </p>
    </section>
  );
}
