// Dates are written out by hand in Asia/Seoul (UTC+9 all year: Korea has
// no daylight saving time) rather than with Intl.DateTimeFormat: the first
// ko-KR formatter a page creates loads ICU's Korean and time-zone data,
// 40-190 ms of main thread on the Lighthouse machine (×4 in its simulated
// phone), and five of them were created while the bundle evaluated. The
// strings are the ones Chromium's Intl gives (see format.test.ts).

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'];

interface SeoulParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number; // 0-23
  minute: number;
  weekday: string;
}

function seoul(t: Date): SeoulParts {
  const k = new Date(t.getTime() + KST_OFFSET_MS);
  return {
    year: k.getUTCFullYear(),
    month: k.getUTCMonth() + 1,
    day: k.getUTCDate(),
    hour: k.getUTCHours(),
    minute: k.getUTCMinutes(),
    weekday: WEEKDAYS[k.getUTCDay()],
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "11월 26일" */
function monthDay(p: SeoulParts): string {
  return `${p.month}월 ${p.day}일`;
}

/** "2026년 11월 26일" */
function yearMonthDay(p: SeoulParts): string {
  return `${p.year}년 ${monthDay(p)}`;
}

/** "오전 12:05", "오후 3:05" */
function clock12(p: SeoulParts): string {
  const h = p.hour % 12 === 0 ? 12 : p.hour % 12;
  return `${p.hour < 12 ? '오전' : '오후'} ${h}:${two(p.minute)}`;
}

/** "방금 전", "5분 전", "3시간 전", "2일 전", then the date in Asia/Seoul. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const sec = Math.floor((now.getTime() - t.getTime()) / 1000);
  if (sec < 60) return '방금 전';
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}분 전`;
  const hr = Math.floor(min / 60);
  if (hr < 24) return `${hr}시간 전`;
  const day = Math.floor(hr / 24);
  if (day < 7) return `${day}일 전`;
  const p = seoul(t);
  return p.year === seoul(now).year ? monthDay(p) : yearMonthDay(p);
}

/** Full date and time in Asia/Seoul, for title/tooltips and <time>. */
export function fullTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const p = seoul(t);
  return `${yearMonthDay(p)} ${two(p.hour)}:${two(p.minute)}`;
}

/** Clock time for chat bubbles ("오후 3:05"). */
export function clockTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : clock12(seoul(t));
}

/** "2026년 11월 28일 토요일", for a chat date separator. */
export function dayLabel(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const p = seoul(t);
  return `${yearMonthDay(p)} ${p.weekday}요일`;
}

/** "850m" / "1.2km"; empty when unknown or zero (own neighbourhood). */
export function formatDistance(km: number | null | undefined): string {
  if (km == null || !Number.isFinite(km) || km <= 0) return '';
  if (km < 1) return `${Math.round(km * 1000)}m`;
  return `${km.toFixed(1)}km`;
}

/**
 * The last `words` words of a Korean place name ("서울특별시 종로구 사직동",
 * 1 → "사직동", 2 → "종로구 사직동"); the whole name when it is shorter.
 */
export function placeName(full: string, words: number): string {
  const parts = full.trim().split(/\s+/).filter(Boolean);
  return parts.slice(Math.max(0, parts.length - words)).join(' ');
}

/**
 * A board card's place: the dong alone in the viewer's own neighbourhood
 * (the board's title already says where), the gu and dong for a
 * neighbouring one that a wider range brings in; empty for a free-text
 * address.
 */
export function boardPlace(post: { code: string; name: string } | null, viewerCode: string | null | undefined): string {
  if (!post) return '';
  return placeName(post.name, post.code === viewerCode ? 1 : 2);
}
