/** Moderation: report reasons, staff actions, sign-up info and their labels. */
import { useMemo } from 'react';
import { useApi } from './hooks';

export type ReportTarget = 'post' | 'message' | 'user';

export const REPORT_REASONS = [
  { value: 'spam', label: '스팸·광고' },
  { value: 'abuse', label: '욕설·괴롭힘' },
  { value: 'fraud', label: '사기' },
  { value: 'inappropriate', label: '부적절한 내용' },
  { value: 'other', label: '기타' },
] as const;

export type ReportReason = (typeof REPORT_REASONS)[number]['value'];

export const REPORT_TEXT_MAX = 500;

export const TARGET_LABEL: Record<ReportTarget, string> = { post: '게시글', message: '채팅 메시지', user: '사용자' };

export type StaffAction = 'hide' | 'disable-user' | 'dismiss';

export const ACTION_LABEL: Record<string, string> = {
  hide: '가리기',
  'disable-user': '계정 정지',
  dismiss: '기각',
  approve: '가입 승인',
  'enable-user': '계정 정지 해제',
  'grant-staff': '운영자 지정',
  'revoke-staff': '운영자 해제',
  'delete-post': '게시글 삭제',
  'delete-room': '채팅방 삭제',
  'edit-post': '게시글 수정',
  'cancel-order': '주문 취소',
};

export function reasonLabel(reason: string): string {
  return REPORT_REASONS.find((r) => r.value === reason)?.label ?? reason;
}

/** The staff actions a report's target allows: a user cannot be hidden. */
export function actionsFor(target: string, owner: number): StaffAction[] {
  const out: StaffAction[] = [];
  if (target !== 'user') out.push('hide');
  if (owner > 0) out.push('disable-user');
  out.push('dismiss');
  return out;
}

/** Client-side checks of a report before sending (the server checks again). */
export function validateReport(reason: string, text: string): string | null {
  if (!REPORT_REASONS.some((r) => r.value === reason)) return '신고 사유를 골라 주세요.';
  if ([...text.trim()].length > REPORT_TEXT_MAX) return `신고 내용은 ${REPORT_TEXT_MAX}자 이하로 적어 주세요.`;
  return null;
}

export interface SignupInfo {
  mode: 'open' | 'invite' | 'approval' | 'closed';
  reset_by_email: boolean;
}

export interface AdminReport {
  id: number;
  target: ReportTarget;
  target_id: number;
  reason: string;
  text: string;
  status: 'open' | 'resolved';
  created_at: string;
  reporter: { id: number; username: string; email: string };
  target_summary: string;
  target_owner: number;
  action: string;
  resolved_by: { id: number; username: string } | null;
  resolved_at: string | null;
}

export interface PendingUser {
  id: number;
  username: string;
  email: string;
  address: string;
  created_at: string;
}

export interface AuditEntry {
  id: number;
  actor_id: number | null;
  actor: string;
  action: string;
  target: string;
  target_id: number;
  detail: string;
  created_at: string;
}

/**
 * The ids of the users I blocked. The server leaves their messages out of
 * history but its live frames go to the whole room, so the chat drops them
 * here as well.
 */
export function useBlockedIds(): Set<number> {
  const { data } = useApi<{ blocks: { id: number }[] }>('/api/user/blocks/');
  return useMemo(() => new Set((data?.blocks ?? []).map((b) => b.id)), [data]);
}

/** Messages without those of blocked users (system notices stay). */
export function withoutBlocked<T extends { user: { id: number } | null }>(msgs: T[], blocked: Set<number>): T[] {
  if (blocked.size === 0) return msgs;
  return msgs.filter((m) => !m.user || !blocked.has(m.user.id));
}
