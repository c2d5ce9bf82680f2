// End-to-end checks of issue 10 (hardening) in real headless Chromium against
// the real binary: the client-side path traversal link from the issue.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, failureShot } from '../lib/helpers.mjs';

binaryPath();

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';

describe('hardening (issue 10)', () => {
  let server;
  let browser;
  let u;

  before(async () => {
    server = await startServer();
    browser = await launch();
    u = await newUser(browser, VIEWPORTS.find((v) => v.name === 'desktop-1280x800'), server.base, 'victim');
  });

  after(async () => {
    await u?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  /** A web-client API call from the page (the session cookie rides along). */
  async function call(method, path, body) {
    return u.page.evaluate(
      async ({ method, path, body }) => {
        const r = await fetch(path, {
          method,
          headers: { 'X-MealBuddy-Client': 'web', 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      { method, path, body },
    );
  }

  it('the traversal link from the issue renders the not-found page and deletes nothing', async (t) => {
    try {
      await u.page.goto('/');
      const reg = await call('POST', '/api/user/register/', {
        email: 'victim@example.com',
        username: '피해자',
        password: PASSWORD,
        password2: PASSWORD,
        address: HOOD,
      });
      assert.equal(reg.status, 201, `register: ${JSON.stringify(reg)}`);
      const post = await call('POST', '/api/post/write/', {
        title: '지우면 안 되는 글',
        category: '치킨',
        target_number: 4,
        content: '같이 시켜요',
      });
      assert.equal(post.status, 201, `write: ${JSON.stringify(post)}`);
      const P = post.body.id;
      const R = post.body.chat_id;

      const evil =
        `/chat/..%2Fpost%2Fdetail%2F${P}%2Fdelete%2F%3F%2F..%2F..%2F..%2F..%2F..%2Fchat%2F${R}/`;
      await u.page.goto(evil);
      await visible(u, tid('not-found'), 'the not-found page for the traversal link');
      assert.equal(await u.page.locator(tid('chat-notice')).count(), 0, 'no chat page behind the link');
      await u.page.waitForTimeout(300); // let any request the page would make go out
      await Promise.all(u.mon.pending);
      const bad = u.mon.apiRequests.filter((r) => r.url.includes('..') || r.url.includes('%2F') || r.url.includes('/delete/'));
      assert.deepEqual(bad, [], 'the page sent a request built from the link');

      // The server does not "fix" such a path into a real route either.
      const raw = await fetch(server.base + `/api/chat/..%2Fpost%2Fdetail%2F${P}%2Fdelete%2F..%2F..%2Fchat%2F${R}/`, {
        redirect: 'manual',
      });
      assert.equal(raw.status, 404, 'the API answers a traversal path with 404, not a redirect');

      const still = await call('GET', `/api/post/detail/${P}/`);
      assert.equal(still.status, 200, 'the post is still there');
      assert.equal(still.body.title, '지우면 안 되는 글');
    } catch (e) {
      await failureShot(u, t.name);
      throw e;
    }
  });
});
