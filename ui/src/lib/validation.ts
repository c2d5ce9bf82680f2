import { FieldErrors } from './errors';
import { CATEGORIES, MESSAGE_MAX, PASSWORD_MIN, TARGET_MAX, TARGET_MIN, TITLE_MAX } from './constants';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function add(errs: FieldErrors, field: string, msg: string) {
  (errs[field] ??= []).push(msg);
}

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  password2: string;
  address: string;
}

export function validateRegister(v: RegisterInput): FieldErrors {
  const e: FieldErrors = {};
  if (!v.email.trim()) add(e, 'email', '이메일을 입력해 주세요.');
  else if (!EMAIL_RE.test(v.email.trim())) add(e, 'email', '올바른 이메일 주소를 입력해 주세요.');
  if (!v.username.trim()) add(e, 'username', '닉네임을 입력해 주세요.');
  if (!v.password) add(e, 'password', '비밀번호를 입력해 주세요.');
  else if (v.password.length < PASSWORD_MIN)
    add(e, 'password', `비밀번호는 ${PASSWORD_MIN}자 이상이어야 해요.`);
  if (!v.password2) add(e, 'password2', '비밀번호를 한 번 더 입력해 주세요.');
  else if (v.password && v.password !== v.password2)
    add(e, 'password2', '비밀번호가 일치하지 않아요.');
  if (!v.address.trim()) add(e, 'address', '동네(행정동)를 입력해 주세요.');
  return e;
}

export function validateLogin(v: { email: string; password: string }): FieldErrors {
  const e: FieldErrors = {};
  if (!v.email.trim()) add(e, 'email', '이메일을 입력해 주세요.');
  if (!v.password) add(e, 'password', '비밀번호를 입력해 주세요.');
  return e;
}

export interface PostInput {
  title: string;
  category: string;
  target_number: string | number;
  content: string;
}

export function validatePost(v: PostInput, joinNumber = 0): FieldErrors {
  const e: FieldErrors = {};
  const title = v.title.trim();
  if (!title) add(e, 'title', '제목을 입력해 주세요.');
  else if ([...title].length > TITLE_MAX) add(e, 'title', `제목은 ${TITLE_MAX}자까지 쓸 수 있어요.`);
  if (!(CATEGORIES as readonly string[]).includes(v.category)) add(e, 'category', '카테고리를 골라 주세요.');
  const n = typeof v.target_number === 'number' ? v.target_number : Number(String(v.target_number).trim());
  if (String(v.target_number).trim() === '' || !Number.isInteger(n) || n < TARGET_MIN || n > TARGET_MAX)
    add(e, 'target_number', `모집 인원은 ${TARGET_MIN}명에서 ${TARGET_MAX}명 사이로 정해 주세요.`);
  else if (joinNumber > 0 && n < joinNumber)
    add(e, 'target_number', `이미 ${joinNumber}명이 참여했어요. 그보다 적게 정할 수 없어요.`);
  if (!v.content.trim()) add(e, 'content', '내용을 입력해 주세요.');
  return e;
}

export function validatePasswordChange(v: {
  current_password: string;
  new_password1: string;
  new_password2: string;
}): FieldErrors {
  const e: FieldErrors = {};
  if (!v.current_password) add(e, 'current_password', '현재 비밀번호를 입력해 주세요.');
  if (!v.new_password1) add(e, 'new_password1', '새 비밀번호를 입력해 주세요.');
  else if (v.new_password1.length < PASSWORD_MIN)
    add(e, 'new_password1', `비밀번호는 ${PASSWORD_MIN}자 이상이어야 해요.`);
  else if (v.new_password1 === v.current_password)
    add(e, 'new_password1', '새 비밀번호는 현재 비밀번호와 달라야 해요.');
  if (!v.new_password2) add(e, 'new_password2', '새 비밀번호를 한 번 더 입력해 주세요.');
  else if (v.new_password1 && v.new_password1 !== v.new_password2)
    add(e, 'new_password2', '새 비밀번호가 일치하지 않아요.');
  return e;
}

/** Returns an error message, or null when the chat message may be sent. */
export function validateMessage(text: string): string | null {
  const t = text.trim();
  if (!t) return '메시지를 입력해 주세요.';
  if ([...t].length > MESSAGE_MAX) return `메시지는 ${MESSAGE_MAX}자까지 보낼 수 있어요.`;
  return null;
}

/** Character count as the server counts (code points, not UTF-16 units). */
export function charCount(s: string): number {
  return [...s].length;
}
