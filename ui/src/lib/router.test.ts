import { describe, expect, it } from 'vitest';
import { matchRoute } from './router';
import { qs } from './api';

describe('matchRoute', () => {
  it('matches params and tolerates a missing trailing slash', () => {
    expect(matchRoute('/post/:id/', '/post/12/')).toEqual({ id: '12' });
    expect(matchRoute('/post/:id/', '/post/12')).toEqual({ id: '12' });
    expect(matchRoute('/post/:id/edit/', '/post/12/edit/')).toEqual({ id: '12' });
    expect(matchRoute('/', '/')).toEqual({});
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
