// End-to-end: two users in one neighbourhood, in real headless Chromium, against
// the real binary, at a phone and at a desktop viewport.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, storageTokens, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, gone, path, until, failureShot } from '../lib/helpers.mjs';

const HOOD_QUERY = '사직';
const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';

binaryPath(); // fail at once, with the build command, when there is no binary

for (const vp of VIEWPORTS) {
  describe(`MealBuddy end-to-end at ${vp.name}`, () => {
    const S = {
      server: null,
      browser: null,
      A: null,
      B: null,
      failed: null,
      overflow: [],
      run: Math.random().toString(36).slice(2, 7),
    };
    const users = () => [S.A, S.B].filter(Boolean);

    /** A step of the story: skipped when an earlier one failed, which fails the run. */
    function step(name, fn) {
      it(name, async (t) => {
        if (S.failed) return t.skip(`an earlier step failed: ${S.failed}`);
        try {
          await fn(t);
        } catch (e) {
          S.failed = name;
          for (const u of users()) await failureShot(u, name);
          throw e;
        }
      });
    }

    before(async () => {
      S.server = await startServer();
      S.browser = await launch();
    });

    after(async () => {
      for (const u of users()) await u.context.close().catch(() => {});
      await S.browser?.close().catch(() => {});
      if (S.failed && S.server) console.error(`--- server log (${vp.name}) ---\n${S.server.log()}`);
      await S.server?.stop();
    });

    async function register(u, { email, username }) {
      const p = u.page;
      await visible(u, tid('register-email'), 'the register form');
      await p.locator(tid('register-email')).fill(email);
      await p.locator(tid('register-username')).fill(username);
      await p.locator(tid('register-password')).fill(PASSWORD);
      await p.locator(tid('register-password2')).fill(PASSWORD);
      const addr = p.locator(tid('address-input'));
      await addr.fill('');
      await addr.pressSequentially(HOOD_QUERY, { delay: 30 });
      const option = p.getByRole('option', { name: HOOD, exact: true });
      try {
        await option.waitFor({ state: 'visible' });
      } catch {
        throw new Error(`${u.label}: the address autocomplete never offered "${HOOD}" for "${HOOD_QUERY}"`);
      }
      await press(u, option);
      await until(u, async () => (await addr.inputValue()) === HOOD, `the address field to hold "${HOOD}" after picking it`);
      await press(u, p.locator(tid('register-submit')));
      await visible(u, tid('write-button'), 'the board after registering');
      const me = await visible(u, tid('nav-me'), 'the profile link in the top bar');
      assert.equal((await me.innerText()).trim(), username, `${u.label}: the top bar should name the new user`);
      const tokens = await storageTokens(p);
      assert.deepEqual(tokens, [], `${u.label}: web storage must not hold a token after registering`);
    }

    async function writePost(u, title) {
      const p = u.page;
      // In a room on phones the room header is the only bar (issue 14): leave the room first.
      if (await p.locator(tid('chat-back')).isVisible()) await press(u, p.locator(tid('chat-back')));
      await press(u, await visible(u, tid('nav-write'), 'the 글쓰기 link'));
      await visible(u, tid('post-title'), 'the write form');
      await p.locator(tid('post-title')).fill(title);
      await p.locator(tid('post-category')).selectOption('치킨');
      await p.locator(tid('post-target')).selectOption('4');
      await p.locator(tid('post-content')).fill('교촌 7시 주문해요. 사직동 주민센터 앞에서 받아요.');
      await p.locator(tid('order-enabled')).uncheck(); // a plain post; tests/orders.test.mjs writes orders
      await press(u, p.locator(tid('post-submit')));
      const m = await path(u, /^\/post\/(\d+)\/$/, 'the new post after writing it');
      const detail = await visible(u, tid('post-detail'), 'the new post');
      assert.equal(await detail.getAttribute('data-post-id'), m[1]);
      assert.match(await detail.innerText(), new RegExp(title), `${u.label}: the post page should show its title`);
      return m[1];
    }

    async function openChatAndWait(u) {
      const m = await path(u, /^\/chat\/(\d+)\/$/, 'the chat page');
      await visible(u, `${tid('connection-state')}[data-state="open"]`, 'the chat connection to be open');
      await visible(u, tid('message-list'), 'the message list');
      return m[1];
    }

    async function sendMessage(u, text) {
      const p = u.page;
      await p.locator(tid('message-input')).fill(text);
      await press(u, p.locator(tid('send-button')));
      await visible(u, `${tid('chat-message')}[data-pending="false"]:has-text("${text}")`, `my own message "${text}" confirmed by the server`);
    }

    async function userId(u) {
      const r = await u.page.evaluate(() =>
        fetch('/api/user/current/', { headers: { 'X-MealBuddy-Client': 'web' }, credentials: 'same-origin' }).then((x) => x.json()),
      );
      assert.ok(r && r.user && r.user.id, `${u.label}: /api/user/current/ should name the user`);
      assert.equal(r.user.token, undefined, `${u.label}: a web answer must not carry a token`);
      return String(r.user.id);
    }

    step('A opens the landing page', async () => {
      S.A = await newUser(S.browser, vp, S.server.base, 'A');
      const res = await S.A.page.goto('/');
      assert.ok(res && res.ok(), 'GET / should answer 200');
      await visible(S.A, tid('landing-register'), 'the 회원가입 button on the landing page');
      await visible(S.A, tid('landing-login'), 'the 로그인 button on the landing page');
      await visible(S.A, tid('attribution'), 'the data attribution in the footer');
      await shot(S.A, '01-landing', S.overflow);
    });

    step('A sees field errors, then registers with the address picked from the autocomplete', async () => {
      const u = S.A;
      await press(u, u.page.locator(tid('landing-register')));
      await path(u, /^\/register\/$/, 'the register page');
      await press(u, await visible(u, tid('register-submit'), 'the 가입하기 button'));
      for (const f of ['email', 'username', 'password', 'password2', 'address'])
        await visible(u, tid(`error-${f}`), `the error under the empty ${f} field`);
      await u.page.locator(tid('register-email')).fill('not-an-email');
      await u.page.locator(tid('register-password')).fill('short');
      await u.page.locator(tid('register-password2')).fill('different');
      await press(u, u.page.locator(tid('register-submit')));
      await visible(u, `${tid('error-email')}:has-text("이메일")`, 'the invalid email error');
      await visible(u, `${tid('error-password')}:has-text("8")`, 'the too-short password error');
      await shot(u, '02-register-errors', S.overflow);
      S.A.username = `alice${S.run}`;
      await register(u, { email: `alice.${S.run}@example.com`, username: S.A.username });
    });

    step('A writes a post', async () => {
      S.title1 = `치킨 같이 시켜요 ${S.run}`;
      S.post1 = await writePost(S.A, S.title1);
    });

    step('B registers in the same neighbourhood and sees the post on the board', async () => {
      S.B = await newUser(S.browser, vp, S.server.base, 'B');
      const u = S.B;
      await u.page.goto('/');
      await press(u, await visible(u, tid('landing-register'), 'the landing page'));
      S.B.username = `bob${S.run}`;
      await register(u, { email: `bob.${S.run}@example.com`, username: S.B.username });
      const item = await visible(u, `${tid('post-item')}[data-post-id="${S.post1}"]`, `A's post #${S.post1} on B's board`);
      assert.match(await item.innerText(), new RegExp(S.title1), "B's board should show the post's title");
      await shot(u, '03-board', S.overflow);
    });

    step('B opens the post, and a reload of the deep link /post/<id>/ works', async () => {
      const u = S.B;
      await press(u, u.page.locator(`${tid('post-item')}[data-post-id="${S.post1}"] a`));
      await path(u, new RegExp(`^/post/${S.post1}/$`), "A's post");
      await visible(u, `${tid('post-detail')}[data-post-id="${S.post1}"]`, 'the post detail');
      await visible(u, tid('join-button'), 'the 참여하기 button');
      await shot(u, '04-post-detail', S.overflow);
      const res = await u.page.reload();
      assert.ok(res && res.ok(), `reloading /post/${S.post1}/ should answer 200, got ${res && res.status()}`);
      await visible(u, `${tid('post-detail')}[data-post-id="${S.post1}"]`, 'the post detail after a reload');
      // A fresh tab straight onto the deep link.
      const tab = await u.context.newPage();
      try {
        const r2 = await tab.goto(`/post/${S.post1}/`);
        assert.ok(r2 && r2.ok(), `a fresh tab on /post/${S.post1}/ should answer 200`);
        await tab.locator(`${tid('post-detail')}[data-post-id="${S.post1}"]`).waitFor({ state: 'visible' });
      } finally {
        await tab.close();
      }
    });

    step('B sees the profile and the not-found page', async () => {
      const u = S.B;
      await press(u, u.page.locator(tid('nav-me')));
      await path(u, /^\/me\/$/, 'the profile page');
      const name = await visible(u, tid('profile-username'), 'the nickname field on the profile');
      assert.equal(await name.inputValue(), S.B.username);
      await until(u, async () => (await u.page.locator(tid('address-input')).inputValue()).includes('사직동'), 'the profile to show the neighbourhood');
      await shot(u, '05-profile', S.overflow);
      const r = await u.page.goto('/no/such/page/');
      assert.ok(r && r.ok(), 'an unknown page is still served by the web app (200)');
      await visible(u, tid('not-found'), 'the not-found page for /no/such/page/');
      await shot(u, '06-not-found', S.overflow);
      await u.page.goto('/post/987654321/');
      await visible(u, tid('not-found'), 'the not-found page for a post that does not exist');
    });

    step(
      'B joins, and A and B chat both ways live',
      async () => {
        const A = S.A;
        const B = S.B;
        await B.page.goto(`/post/${S.post1}/`);
        await press(B, await visible(B, tid('join-button'), 'the 참여하기 button'));
        await press(B, await visible(B, tid('join-confirm'), 'the join sheet’s 참여할게요'));
        S.room1 = await openChatAndWait(B);
        // A is on the post page from writing it; the writer opens the room from there.
        await A.page.goto(`/post/${S.post1}/`);
        await press(A, await visible(A, tid('open-chat-button'), 'the writer’s 채팅방 열기 button'));
        assert.equal(await openChatAndWait(A), S.room1, 'A and B should be in the same room');
        // Mark both documents: a reload would lose the mark.
        for (const u of [A, B]) await u.page.evaluate(() => (window.__e2eNoReload = true));
        const fromA = `안녕하세요, 7시 괜찮으세요? (${S.run})`;
        await sendMessage(A, fromA);
        await visible(B, `${tid('chat-message')}[data-user-id]:has-text("${fromA}")`, "A's message, live on B's screen");
        // A's frame carried a client_id; A's echo names it, B's copy does not.
        const sent = A.mon.wsSent.map((f) => JSON.parse(f)).find((f) => f.message === fromA);
        assert.ok(sent, 'A should have written its message to the socket');
        assert.match(String(sent.client_id), /^[A-Za-z0-9_-]{1,64}$/, 'the frame should carry a client_id');
        await until(A, async () => A.mon.wsReceived.some((f) => f.includes(fromA)), "A's echo as a frame on A's socket");
        await until(B, async () => B.mon.wsReceived.some((f) => f.includes(fromA)), "A's message as a frame on B's socket");
        const echo = A.mon.wsReceived.map((f) => JSON.parse(f)).find((f) => f.type === 'chat.message' && f.message.message === fromA);
        assert.equal(echo.client_id, sent.client_id, "A's echo should carry its client_id");
        const copy = B.mon.wsReceived.map((f) => JSON.parse(f)).find((f) => f.type === 'chat.message' && f.message.message === fromA);
        assert.equal(copy.client_id, undefined, 'other members never see the client_id');
        const fromB = `네 좋아요! 양념 반 후라이드 반 (${S.run})`;
        await sendMessage(B, fromB);
        await visible(A, `${tid('chat-message')}[data-user-id]:has-text("${fromB}")`, "B's message, live on A's screen");
        for (const u of [A, B])
          assert.equal(await u.page.evaluate(() => window.__e2eNoReload), true, `${u.label}'s page must not have reloaded`);
        await shot(A, '07-chat', S.overflow);
        await shot(B, '07-chat-other-side', S.overflow);
      },
    );

    step(
      'A bans B (ban button, then confirm) and B sees the banned notice',
      async () => {
        const A = S.A;
        const B = S.B;
        const bId = await userId(B);
        const banBtn = A.page.locator(tid(`ban-button-${bId}`));
        if (!(await banBtn.isVisible())) await press(A, A.page.locator(tid('members-toggle')));
        await press(A, await visible(A, tid(`ban-button-${bId}`), `the 강퇴 button next to B (user ${bId})`));
        await press(A, await visible(A, tid(`ban-confirm-${bId}`), 'the 강퇴 확인 button'));
        const notice = await visible(B, `${tid('chat-notice')}[data-code="4003"]`, 'the banned notice (close 4003) on B’s chat page');
        assert.match(await notice.innerText(), /내보냈/, 'the notice should say B was removed (내보내기)');
        // The event naming B reached B's own socket before the close.
        await until(
          B,
          async () => B.mon.wsReceived.map((f) => JSON.parse(f)).some((f) => f.type === 'chat.user.leave' && String(f.user_id) === bId),
          'chat.user.leave naming B on B’s own socket (sent before the 4003 close)',
        );
        await gone(A, `${tid('member')}[data-user-id="${bId}"]`, "B in A's member list");
        await shot(B, '08-chat-banned', S.overflow);
      },
    );

    step(
      'A writes another post, B joins, A deletes the post and B’s chat says the room is gone',
      async () => {
        const A = S.A;
        const B = S.B;
        S.title2 = `피자 반반 ${S.run}`;
        S.post2 = await writePost(A, S.title2);
        await B.page.goto('/');
        await press(B, await visible(B, `${tid('post-item')}[data-post-id="${S.post2}"] a`, 'the second post on B’s board'));
        await press(B, await visible(B, tid('join-button'), 'the 참여하기 button of the second post'));
        await press(B, await visible(B, tid('join-confirm'), 'the join sheet’s 참여할게요'));
        await openChatAndWait(B);
        // A's page still shows the post it just wrote.
        await visible(A, `${tid('post-detail')}[data-post-id="${S.post2}"]`, 'the second post on A’s screen');
        await press(A, A.page.locator(tid('delete-button')));
        await press(A, await visible(A, tid('delete-confirm-button'), 'the delete confirmation'));
        await path(A, /^\/$/, 'the board after deleting');
        const notice = await visible(
          B,
          `${tid('chat-notice')}[data-code="4040"]`,
          'the room-deleted notice (close 4040) on B’s chat page',
        );
        assert.match(await notice.innerText(), /삭제/, 'the notice should say the room was deleted');
        await shot(B, '09-chat-room-deleted', S.overflow);
      },
    );

    it('every API request carried X-MealBuddy-Client: web', async () => {
      for (const u of users()) {
        await Promise.all(u.mon.pending);
        assert.ok(u.mon.apiRequests.length > 0, `${u.label}: no API request was seen at all`);
        const bad = u.mon.apiRequests.filter((r) => r.client !== 'web').map((r) => `${r.method} ${r.url} (header: ${r.client})`);
        assert.deepEqual(bad, [], `${u.label}: API requests without X-MealBuddy-Client: web`);
      }
    });

    it('no token in any URL or in web storage, and the session cookie is HttpOnly', async () => {
      for (const u of users()) {
        assert.deepEqual(u.mon.urlsWithToken, [], `${u.label}: requests carrying a token in the URL`);
        if (!S.failed)
          assert.ok(u.mon.sockets.length > 0, `${u.label}: the chat steps ran but no WebSocket was seen`);
        if (!u.page.isClosed()) assert.deepEqual(await storageTokens(u.page), [], `${u.label}: token in web storage`);
        const cookies = await u.context.cookies();
        const session = cookies.find((c) => c.name === 'mealbuddy_session');
        if (session) {
          assert.equal(session.httpOnly, true, `${u.label}: mealbuddy_session must be HttpOnly`);
          assert.equal(session.sameSite, 'Strict', `${u.label}: mealbuddy_session must be SameSite=Strict`);
          const visibleCookie = await u.page.evaluate(() => document.cookie);
          assert.doesNotMatch(visibleCookie, /mealbuddy_session/, `${u.label}: the session cookie is readable from JS`);
        }
      }
    });

    it('every page load had a CSP header, and no CSP violation or uncaught error happened', async () => {
      for (const u of users()) {
        assert.ok(u.mon.documents.length > 0, `${u.label}: no document was loaded`);
        const noCsp = u.mon.documents.filter((d) => !d.csp || !d.csp.includes("default-src 'self'")).map((d) => d.url);
        assert.deepEqual(noCsp, [], `${u.label}: documents without Content-Security-Policy (default-src 'self')`);
        assert.deepEqual(u.mon.cspViolations, [], `${u.label}: CSP violations in the console`);
        assert.deepEqual(u.mon.pageErrors, [], `${u.label}: uncaught errors in the page`);
        const other = u.mon.consoleErrors.filter((e) => !u.mon.cspViolations.includes(e));
        if (other.length) console.log(`# ${vp.name} ${u.label}: other console errors (not failing):\n#   ${other.join('\n#   ')}`);
      }
    });

    it('no content is wider than the viewport on the screens photographed', () => {
      assert.deepEqual(S.overflow, [], 'horizontal overflow');
    });
  });
}
