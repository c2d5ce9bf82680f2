import { describe, expect, it } from 'vitest';
import { charCount, validateLogin, validateMessage, validatePasswordChange, validatePost, validateRegister } from './validation';
import { errorText, hasErrors, mapServerErrors } from './errors';

const goodRegister = {
  email: 'a@b.kr',
  username: '밀버디',
  password: 'password1',
  password2: 'password1',
  address: '서울특별시 종로구 창신1동',
};

describe('validateRegister', () => {
  it('accepts a good form', () => {
    expect(hasErrors(validateRegister(goodRegister))).toBe(false);
  });
  it('flags every empty field', () => {
    const e = validateRegister({ email: '', username: ' ', password: '', password2: '', address: '' });
    expect(Object.keys(e).sort()).toEqual(['address', 'email', 'password', 'password2', 'username']);
  });
  it('checks email shape, password length and match', () => {
    const e = validateRegister({ ...goodRegister, email: 'nope', password: 'short', password2: 'other' });
    expect(e.email[0]).toContain('이메일');
    expect(e.password[0]).toContain('8자');
    expect(e.password2[0]).toContain('일치');
  });
});

describe('validateLogin', () => {
  it('requires both fields', () => {
    expect(Object.keys(validateLogin({ email: '', password: '' }))).toEqual(['email', 'password']);
    expect(hasErrors(validateLogin({ email: 'a@b.kr', password: 'x' }))).toBe(false);
  });
});

describe('validatePost', () => {
  const good = { title: '치킨 같이 시켜요', category: '치킨', target_number: '4', content: '6시에 주문' };
  it('accepts a good post (string or number target)', () => {
    expect(hasErrors(validatePost(good))).toBe(false);
    expect(hasErrors(validatePost({ ...good, target_number: 10 }))).toBe(false);
  });
  it('limits title to 30 characters counting code points', () => {
    expect(validatePost({ ...good, title: '가'.repeat(30) }).title).toBeUndefined();
    expect(validatePost({ ...good, title: '가'.repeat(31) }).title?.[0]).toContain('30자');
    expect(validatePost({ ...good, title: '😀'.repeat(30) }).title).toBeUndefined();
  });
  it('rejects unknown categories and out-of-range targets', () => {
    const e = validatePost({ ...good, category: '라면', target_number: '11' });
    expect(e.category).toBeDefined();
    expect(e.target_number).toBeDefined();
    expect(validatePost({ ...good, target_number: '1' }).target_number).toBeDefined();
    expect(validatePost({ ...good, target_number: '2.5' }).target_number).toBeDefined();
    expect(validatePost({ ...good, target_number: '' }).target_number).toBeDefined();
  });
  it('does not allow a target below the current members when editing', () => {
    expect(validatePost({ ...good, target_number: '3' }, 4).target_number?.[0]).toContain('4명');
    expect(validatePost({ ...good, target_number: '4' }, 4).target_number).toBeUndefined();
  });
  it('requires content', () => {
    expect(validatePost({ ...good, content: '  ' }).content).toBeDefined();
  });
});

describe('validatePasswordChange', () => {
  it('requires a different, long, matching new password', () => {
    expect(
      validatePasswordChange({ current_password: 'oldpass12', new_password1: 'oldpass12', new_password2: 'oldpass12' })
        .new_password1,
    ).toBeDefined();
    expect(
      validatePasswordChange({ current_password: 'oldpass12', new_password1: 'newpass12', new_password2: 'newpass13' })
        .new_password2,
    ).toBeDefined();
    expect(
      hasErrors(
        validatePasswordChange({ current_password: 'oldpass12', new_password1: 'newpass12', new_password2: 'newpass12' }),
      ),
    ).toBe(false);
  });
});

describe('validateMessage', () => {
  it('allows 1–300 characters after trimming', () => {
    expect(validateMessage('   ')).not.toBeNull();
    expect(validateMessage('안녕')).toBeNull();
    expect(validateMessage('가'.repeat(300))).toBeNull();
    expect(validateMessage('가'.repeat(301))).toContain('300자');
    expect(charCount('😀😀')).toBe(2);
  });
});

describe('mapServerErrors', () => {
  const fields = ['email', 'username', 'password', 'password2', 'address'] as const;
  it('puts field errors beside fields and non_field_errors at the top', () => {
    const m = mapServerErrors(
      { errors: { email: ['이미 가입된 이메일입니다.'], non_field_errors: ['잘못된 요청'] } },
      fields,
    );
    expect(m.fields).toEqual({ email: ['이미 가입된 이메일입니다.'] });
    expect(m.nonField).toEqual(['잘못된 요청']);
    expect(m.suggestions).toEqual([]);
  });
  it('keeps errors for fields the form does not show', () => {
    const m = mapServerErrors({ errors: { token: ['x'], address: '주소 확인' } }, fields);
    expect(m.nonField).toEqual(['x']);
    expect(m.fields.address).toEqual(['주소 확인']);
  });
  it('returns address suggestions', () => {
    const m = mapServerErrors(
      { errors: { address: ['동네를 찾을 수 없어요'] }, suggestions: ['서울특별시 종로구 창신1동', 3] },
      fields,
    );
    expect(m.suggestions).toEqual(['서울특별시 종로구 창신1동']);
  });
  it('treats a bare string as a form-level error and tolerates junk', () => {
    expect(mapServerErrors('요청이 너무 많습니다', fields).nonField).toEqual(['요청이 너무 많습니다']);
    expect(mapServerErrors(null, fields)).toEqual({ fields: {}, nonField: [], suggestions: [] });
  });
});

describe('errorText', () => {
  it('shows bare-string bodies as they are', () => {
    expect(errorText(429, '하루에 10번만 질문할 수 있습니다.')).toBe('하루에 10번만 질문할 수 있습니다.');
  });
  it('uses the first non-field error of a 400', () => {
    expect(errorText(400, { errors: { non_field_errors: ['이메일 또는 비밀번호가 틀렸습니다.'] } })).toBe(
      '이메일 또는 비밀번호가 틀렸습니다.',
    );
  });
  it('falls back to a Korean sentence per status', () => {
    expect(errorText(0, null)).toContain('연결');
    expect(errorText(502, '')).toContain('서버');
    expect(errorText(418, null)).toBeTruthy();
  });
});
