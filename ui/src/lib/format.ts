const SEOUL = 'Asia/Seoul';

const fullFmt = new Intl.DateTimeFormat('ko-KR', {
  timeZone: SEOUL,
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const dayFmt = new Intl.DateTimeFormat('ko-KR', {
  timeZone: SEOUL,
  month: 'long',
  day: 'numeric',
});

const yearDayFmt = new Intl.DateTimeFormat('ko-KR', {
  timeZone: SEOUL,
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});

const timeFmt = new Intl.DateTimeFormat('ko-KR', {
  timeZone: SEOUL,
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

const yearFmt = new Intl.DateTimeFormat('en-CA', { timeZone: SEOUL, year: 'numeric' });

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
  return yearFmt.format(t) === yearFmt.format(now) ? dayFmt.format(t) : yearDayFmt.format(t);
}

/** Full date and time in Asia/Seoul, for title/tooltips and <time>. */
export function fullTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : fullFmt.format(t);
}

/** Clock time for chat bubbles ("오후 3:05"). */
export function clockTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : timeFmt.format(t);
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
