import { afterEach, describe, expect, it, vi } from 'vitest';
import { base64UrlToBytes, enablePush, pushState } from './push';
import { setPageTitle, setUnreadCount } from '../lib/title';

describe('push helpers', () => {
  it("decodes the server's base64url VAPID key (no padding, - and _)", () => {
    // 0xfb 0xff 0xbf → "-_-_" in base64url
    expect([...base64UrlToBytes('-_-_')]).toEqual([0xfb, 0xff, 0xbf]);
    expect([...base64UrlToBytes('AQID')]).toEqual([1, 2, 3]);
    expect([...base64UrlToBytes('AQ')]).toEqual([1]);
    const key = 'B' + 'A'.repeat(86); // 87 chars = a 65-byte uncompressed P-256 point
    expect(base64UrlToBytes(key).length).toBe(65);
  });

  it('is quiet where pushes are impossible: unsupported, never a throw or a request', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('window', { isSecureContext: false });
    await expect(pushState()).resolves.toBe('unsupported');
    await expect(enablePush()).resolves.toBe('unsupported');
    expect(fetch).not.toHaveBeenCalled();
  });

  afterEach(() => vi.unstubAllGlobals());
});

describe('tab title', () => {
  it('leads the page title with the unread total while there is any', () => {
    const doc = { title: '' };
    vi.stubGlobal('document', doc);
    setPageTitle('사직동');
    expect(doc.title).toBe('사직동 · 밀버디');
    setUnreadCount(3);
    expect(doc.title).toBe('(3) 사직동 · 밀버디');
    setPageTitle('');
    expect(doc.title).toBe('(3) 밀버디 MealBuddy');
    setUnreadCount(120);
    expect(doc.title).toBe('(99+) 밀버디 MealBuddy');
    setUnreadCount(0);
    expect(doc.title).toBe('밀버디 MealBuddy');
    vi.unstubAllGlobals();
  });
});
