import { describe, expect, it } from 'vitest';
import { matchRoute } from './router';
import { path, qs } from './api';

describe('matchRoute', () => {
  it('matches params and tolerates a missing trailing slash', () => {
    expect(matchRoute('/post/:id/', '/post/12/')).toEqual({ id: '12' });
    expect(matchRoute('/post/:id/', '/post/12')).toEqual({ id: '12' });
    expect(matchRoute('/post/:id/edit/', '/post/12/edit/')).toEqual({ id: '12' });
    expect(matchRoute('/', '/')).toEqual({});
  });
  it('accepts only numeric ids as parameters (issue 10: client-side path traversal)', () => {
    // The link from the issue: an encoded ../ that used to be decoded into
    // the room id and end up in the leave and ban URLs.
    const evil = '/chat/..%2Fpost%2Fdetail%2F7%2Fdelete%2F%3F%2F..%2F..%2F..%2F..%2F..%2Fchat%2F3/';
    expect(matchRoute('/chat/:id/', evil)).toBeNull();
    for (const seg of ['..', '.', '%2E%2E', '1%2F2', '%31', '1.5', '-1', '1e3', ' 1', '12abc', 'abc', '1;2', '１']) {
      expect(matchRoute('/post/:id/', `/post/${seg}/`), seg).toBeNull();
      expect(matchRoute('/post/:id/edit/', `/post/${seg}/edit/`), seg).toBeNull();
    }
    expect(matchRoute('/chat/:id/', '/chat/0042/')).toEqual({ id: '0042' });
  });
  it('rejects other shapes', () => {
    expect(matchRoute('/post/:id/', '/post/')).toBeNull();
    expect(matchRoute('/post/:id/', '/post/1/edit/')).toBeNull();
    expect(matchRoute('/me/', '/mee/')).toBeNull();
  });
});

describe('qs', () => {
  it('skips empty values', () => {
    expect(qs({ category: '', page: 2, range: 0 })).toBe('?page=2&range=0');
    expect(qs({ q: '창신 1동' })).toBe('?q=%EC%B0%BD%EC%8B%A0+1%EB%8F%99');
    expect(qs({})).toBe('');
  });
});

describe('path', () => {
  it('encodes every part so that it stays one segment', () => {
    expect(path`/api/chat/${12}/user/`).toBe('/api/chat/12/user/');
    expect(path`/api/chat/${'1/../../post/2/delete'}/user/`).toBe('/api/chat/1%2F..%2F..%2Fpost%2F2%2Fdelete/user/');
    expect(path`/post/${'a?b#c'}/`).toBe('/post/a%3Fb%23c/');
    expect(path`/p/${'창신'}/`).toBe('/p/%EC%B0%BD%EC%8B%A0/');
  });
  it('refuses empty and dot segments, which browsers resolve even encoded', () => {
    expect(() => path`/api/chat/${'..'}/user/`).toThrow();
    expect(() => path`/api/chat/${'.'}/user/`).toThrow();
    expect(() => path`/api/chat/${''}/user/`).toThrow();
  });
});
