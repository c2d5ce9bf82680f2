import { FormEvent, useState } from 'react';
import { api } from '../lib/api';
import { useForm } from '../lib/form';
import { RegisterInput, validateRegister } from '../lib/validation';
import { Link, navigate, useSearchParams } from '../lib/router';
import { useAuth } from '../auth';
import { FormErrors, TextField } from '../components/ui';
import { AddressField } from '../components/AddressField';
import { useApi, useDocumentTitle } from '../lib/hooks';
import type { SignupInfo } from '../lib/moderation';
import type { User } from '../lib/types';
import { PASSWORD_MIN } from '../lib/constants';
import { safeNext, withNext } from '../lib/next';

const FIELDS = ['email', 'username', 'password', 'password2', 'address', 'invite'] as const;

export function Register() {
  useDocumentTitle('회원가입');
  const { setUser } = useAuth();
  const [v, setV] = useState<RegisterInput>({ email: '', username: '', password: '', password2: '', address: '' });
  // Sign-up modes: an invite code from the link (?invite=), or a wait for approval.
  const { data: signup } = useApi<SignupInfo>('/api/user/signup/');
  const params = useSearchParams();
  const [invite, setInvite] = useState(params.get('invite') ?? '');
  const [pending, setPending] = useState('');
  const { errors, formErrors, suggestions, busy, submit, formRef, announcement } = useForm(FIELDS, {
    values: { ...v, invite },
    validate: () => validateRegister(v),
  });

  const set = (k: keyof RegisterInput) => (val: string) => setV((o) => ({ ...o, [k]: val }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    send(v);
  }

  // A "혹시 이 동네인가요?" choice answers the server's question: sign up with it.
  function pickAddress(address: string) {
    if (!busy) send({ ...v, address });
  }

  function send(v: RegisterInput) {
    void submit(validateRegister(v), async () => {
      const r = await api<{ user?: User; pending?: boolean; message?: string }>('/api/user/register/', {
        method: 'POST',
        body: {
          ...v,
          email: v.email.trim(),
          username: v.username.trim(),
          address: v.address.trim(),
          ...(invite.trim() ? { invite: invite.trim() } : {}),
        },
      });
      if (r.pending || !r.user) {
        setPending(r.message ?? '가입 신청이 접수되었어요. 운영자가 승인하면 로그인할 수 있어요.');
        return;
      }
      setUser(r.user);
      // Back to where the visitor came from (a shared post), same-site only.
      navigate(safeNext(params.get('next')), { replace: true });
    });
  }

  const text = (
    name: 'email' | 'username' | 'password' | 'password2',
    label: string,
    type: string,
    autoComplete: string,
    hint?: string,
  ) => (
    <TextField
      label={label}
      name={name}
      type={type}
      autoComplete={autoComplete}
      inputMode={type === 'email' ? 'email' : undefined}
      value={v[name]}
      onChange={set(name)}
      errors={errors[name]}
      hint={hint}
      testId={`register-${name}`}
      revealable={type === 'password'}
      required
    />
  );

  if (pending)
    return (
      <section className="panel narrow">
        <h1>회원가입</h1>
        <p className="alert alert-info" role="status" data-testid="register-pending">
          {pending}
        </p>
        <Link to="/login/">로그인 화면으로</Link>
      </section>
    );

  return (
    <section className="panel narrow">
      <h1>회원가입</h1>
      {signup?.mode === 'closed' && <p className="alert alert-info">지금은 새로 가입할 수 없어요.</p>}
      {signup?.mode === 'approval' && (
        <p className="alert alert-info">가입하면 운영자가 승인한 뒤부터 로그인할 수 있어요.</p>
      )}
      <FormErrors errors={formErrors} announcement={announcement} />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        {text('email', '이메일', 'email', 'email')}
        {text('username', '닉네임', 'text', 'nickname', '채팅과 게시글에 보이는 이름이에요.')}
        {text('password', '비밀번호', 'password', 'new-password', `${PASSWORD_MIN}자 이상`)}
        {text('password2', '비밀번호 확인', 'password', 'new-password')}
        <AddressField
          value={v.address}
          onChange={set('address')}
          errors={errors.address}
          suggestions={suggestions}
          onPickSuggestion={pickAddress}
        />
        {(signup?.mode === 'invite' || invite !== '' || errors.invite) && (
          <TextField
            label="초대 코드"
            name="invite"
            autoComplete="off"
            value={invite}
            onChange={setInvite}
            errors={errors.invite}
            hint="운영자에게 받은 초대 코드예요."
            testId="register-invite"
          />
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="register-submit">
          {busy ? '가입하는 중…' : '가입하기'}
        </button>
      </form>
      <p className="muted center">
        이미 회원이신가요?{' '}
        <Link className="tap-link" to={withNext('/login/', params.get('next'))}>
          로그인
        </Link>
      </p>
    </section>
  );
}
