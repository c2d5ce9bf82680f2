import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './api';
import { errorText, isRetryable, readAnswer, statusText } from './errors';
import { CATEGORIES, CATEGORY_LABELS, categoryLabel } from './constants';

const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.24.0</center>
</body>
</html>`;

describe('readAnswer', () => {
  it('reads the server JSON: a bare string, an object', () => {
    expect(readAnswer('application/json; charset=utf-8', '"권한이 없어요."')).toEqual({
      body: '권한이 없어요.',
      unexpected: false,
    });
    expect(readAnswer('application/json', '{"detail":"x"}')).toEqual({ body: { detail: 'x' }, unexpected: false });
  });
  it('never keeps an HTML page, plain text, an empty body or broken JSON', () => {
    expect(readAnswer('text/html', NGINX_502)).toEqual({ body: null, unexpected: true });
    expect(readAnswer(null, NGINX_502)).toEqual({ body: null, unexpected: true });
    expect(readAnswer('text/plain', 'Bad Gateway')).toEqual({ body: null, unexpected: true });
    expect(readAnswer('application/json', '')).toEqual({ body: null, unexpected: true });
    expect(readAnswer('application/json', '{"detail":')).toEqual({ body: null, unexpected: true });
  });
});

describe('errorText', () => {
  it('shows our JSON messages as they are', () => {
    expect(errorText(429, '하루에 10번만 질문할 수 있어요.')).toBe('하루에 10번만 질문할 수 있어요.');
    expect(errorText(403, { detail: '채팅방에 들어갈 권한이 없어요.' })).toBe('채팅방에 들어갈 권한이 없어요.');
    expect(errorText(503, '날씨 기능이 꺼져 있어요.')).toBe('날씨 기능이 꺼져 있어요.');
  });
  it('maps a gateway page, an empty 500 and markup to the status sentence', () => {
    expect(errorText(502, null, true)).toBe(statusText(502));
    expect(errorText(502, '<html>Bad Gateway</html>')).toBe(statusText(502));
    expect(errorText(504, { detail: 'upstream timed out' })).toBe(statusText(504));
    expect(errorText(500, null, true)).toBe(statusText(500));
    expect(errorText(500, '<!DOCTYPE html><p>oops</p>')).toBe(statusText(500));
    expect(errorText(400, { detail: 'x'.repeat(301) })).toBe(statusText(400));
    expect(errorText(0, null)).toBe(statusText(0));
    for (const s of [500, 502, 503, 504, 599, 0]) expect(statusText(s)).toMatch(/[가-힣]/);
  });
  it('says which answers are worth a retry', () => {
    for (const s of [0, 408, 429, 500, 502, 503, 504]) expect(isRetryable(s), String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 413]) expect(isRetryable(s), String(s)).toBe(false);
  });
});

describe('api errors from real Response objects', () => {
  afterEach(() => vi.unstubAllGlobals());

  async function fail(res: Response | Error): Promise<ApiError> {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        if (res instanceof Error) throw res;
        return res;
      }),
    );
    try {
      await api('/api/post/');
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
    throw new Error('api() resolved');
  }

  it('turns an nginx 502 page into a friendly, retryable error without its HTML', async () => {
    const e = await fail(new Response(NGINX_502, { status: 502, headers: { 'Content-Type': 'text/html' } }));
    expect(e.status).toBe(502);
    expect(e.message).toBe(statusText(502));
    expect(e.message).not.toContain('<');
    expect(e.message).not.toContain('nginx');
    expect(e.body).toBeNull();
    expect(e.retryable).toBe(true);
  });
  it('turns an empty 500 into the server sentence', async () => {
    const e = await fail(new Response('', { status: 500 }));
    expect(e.message).toBe(statusText(500));
    expect(e.retryable).toBe(true);
  });
  it('keeps the detail of a JSON answer and does not offer a retry for a 403', async () => {
    const e = await fail(
      new Response(JSON.stringify({ detail: '권한이 없어요.' }), {
        status: 403,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }),
    );
    expect(e.message).toBe('권한이 없어요.');
    expect(e.body).toEqual({ detail: '권한이 없어요.' });
    expect(e.retryable).toBe(false);
  });
  it('maps a network failure to status 0', async () => {
    const e = await fail(new TypeError('Failed to fetch'));
    expect(e.status).toBe(0);
    expect(e.message).toBe(statusText(0));
    expect(e.retryable).toBe(true);
  });
});

describe('categoryLabel', () => {
  it('has a label for every API category, and the values stay as the API spells them', () => {
    expect(Object.keys(CATEGORY_LABELS).sort()).toEqual([...CATEGORIES].sort());
    expect(CATEGORIES).toContain('페스트푸드');
    expect(CATEGORIES).toContain('족발,보쌈');
    for (const c of CATEGORIES) {
      expect(categoryLabel(c)).toBeTruthy();
      expect(categoryLabel(c)).not.toContain(',');
    }
  });
  it('reads as people write it', () => {
    expect(categoryLabel('페스트푸드')).toBe('패스트푸드');
    expect(categoryLabel('족발,보쌈')).toBe('족발·보쌈');
    expect(categoryLabel('찜,탕,찌개')).toBe('찜·탕·찌개');
    expect(categoryLabel('돈까스,회,일식')).toBe('돈까스·회·일식');
    expect(categoryLabel('백반,죽,국수')).toBe('백반·죽·국수');
    expect(categoryLabel('카페,디저트')).toBe('카페·디저트');
    expect(categoryLabel('치킨')).toBe('치킨');
  });
  it('shows an unknown value rather than nothing', () => {
    expect(categoryLabel('새,메뉴')).toBe('새·메뉴');
    expect(categoryLabel('toString')).toBe('toString');
  });
});
