import { describe, expect, it } from 'vitest';
import { announceErrors, recheck } from './form';
import { validateLogin } from './validation';

describe('recheck (errors after a failed submit)', () => {
  const sent = { email: '', password: '' };
  const failed = validateLogin(sent);

  it('keeps every error while nothing changed', () => {
    expect(recheck(failed, sent, { ...sent }, new Set(), validateLogin(sent))).toBe(failed);
  });
  it('clears the error of a field once it is fixed, and only that one', () => {
    const now = { email: 'a@b.kr', password: '' };
    const next = recheck(failed, sent, now, new Set(), validateLogin(now));
    expect(next.email).toBeUndefined();
    expect(next.password).toEqual(failed.password);
  });
  it('keeps a server error on a field that was not edited', () => {
    const server = { email: ['이미 가입된 이메일이에요.'] };
    const at = { email: 'a@b.kr', password: 'password1' };
    const now = { ...at, password: 'password2' };
    expect(recheck(server, at, now, new Set(), validateLogin(now))).toBe(server);
  });
  it('does not bring an error back while typing, only at the next submit', () => {
    const edited = new Set<string>();
    const fixed = { email: 'a@b.kr', password: '' };
    const afterFix = recheck(failed, sent, fixed, edited, validateLogin(fixed));
    expect(afterFix.email).toBeUndefined();
    // The error is gone from the map, so a new break is not re-checked: a
    // field only shows errors again at the next submit.
    const broken = { email: '', password: '' };
    expect(recheck(afterFix, sent, broken, edited, validateLogin(broken)).email).toBeUndefined();
  });
});

describe('announceErrors', () => {
  it('reads form and field errors in one sentence, nothing when there are none', () => {
    expect(announceErrors({}, [])).toBe('');
    const s = announceErrors({ email: ['이메일을 입력해 주세요.'], password: ['비밀번호를 입력해 주세요.'] }, ['잠시 후 다시 시도해 주세요.']);
    expect(s).toContain('입력한 내용을 확인해 주세요.');
    expect(s).toContain('이메일을 입력해 주세요.');
    expect(s).toContain('비밀번호를 입력해 주세요.');
    expect(s).toContain('잠시 후 다시 시도해 주세요.');
  });
});
