import { describe, expect, it } from 'vitest';
import { safeNext, withNext } from './next';

describe('safeNext', () => {
  it('keeps same-site paths only', () => {
    expect(safeNext('/post/3/')).toBe('/post/3/');
    expect(safeNext('/post/3/?x=1')).toBe('/post/3/?x=1');
    for (const bad of ['//evil.example/', '/\\evil', 'https://evil.example/', 'javascript:alert(1)', '', null, undefined])
      expect(safeNext(bad)).toBe('/');
  });
});

describe('withNext', () => {
  it('adds an encoded next for a real path', () => {
    expect(withNext('/register/', '/post/7/')).toBe('/register/?next=%2Fpost%2F7%2F');
  });
  it('drops a missing, root or foreign next', () => {
    expect(withNext('/login/', null)).toBe('/login/');
    expect(withNext('/login/', '/')).toBe('/login/');
    expect(withNext('/login/', '//evil.example/')).toBe('/login/');
  });
});
