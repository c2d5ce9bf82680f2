// End-to-end (issue 13, "Done when"): my chats, unread counts, live updates and Web
// Push, in real headless Chromium against the real binary at 390×844.
//
// A and B are in one group order. B waits on the board, not in the room, and sees
// the unread badge and the tab title go up live when A writes; B opens the chat
// list (last message, count), opens the room and the count drops to 0.
//
// Push: the server runs with --push-allow for a local fake push service
// (internal/pushtest/cmd/fakepush) that decrypts what it receives. Headless
// Chromium cannot make a real subscription (pushManager.subscribe needs Google's
// FCM, unreachable here), so an init script makes the page's
// PushManager.prototype.subscribe hand out a subscription of the fake; the
// service worker stays real and registered, the UI does the rest (알림 받기 →
// POST /api/push/subscriptions/). A's message while B's room is closed must
// produce exactly one push, to B, none to A (A is subscribed too). That
// decrypted payload is then delivered to B's real service worker with CDP
// ServiceWorker.deliverPushMessage, which must show a notification
// (registration.getNotifications()).
//
// Also: the manifest parses (CDP Page.getAppManifest), the service worker serves
// the shell offline (context.setOffline(true), reload → 오프라인이에요), and
// logging out deletes the subscription and empties the worker's caches.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startFakePush, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, gone, path, until, failureShot, api } from '../lib/helpers.mjs';

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';

binaryPath();
const vp = VIEWPORTS.find((v) => v.name === 'phone-390x844');

/**
 * Make this context's PushManager hand out the fake service's subscription
 * (the one thing headless Chromium cannot do for real). getSubscription
 * reflects it, across reloads of the tab (sessionStorage).
 */
function fakeSubscribe(sub) {
  if (typeof PushManager === 'undefined') return;
  const KEY = 'e2e-fake-push';
  const make = () => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: null },
    getKey: () => null,
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
    unsubscribe: async () => {
      sessionStorage.removeItem(KEY);
      return true;
    },
  });
  PushManager.prototype.subscribe = async function (opts) {
    // The page must subscribe with the server's VAPID key: 65 bytes, uncompressed P-256.
    const k = opts && opts.applicationServerKey;
    const len = k ? new Uint8Array(k.buffer ? k.buffer : k).length : 0;
    sessionStorage.setItem(KEY, String(len));
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem(KEY) ? make() : null;
  };
}

async function resident(S, label, name, sub) {
  const u = await newUser(S.browser, vp, S.server.base, label);
  await u.context.grantPermissions(['notifications'], { origin: S.server.base });
  await u.context.addInitScript(fakeSubscribe, sub);
  u.sub = sub;
  await u.page.goto('/');
  const r = await api(u, 'POST', '/api/user/register/', {
    email: `${name}@example.com`,
    username: name,
    password: PASSWORD,
    password2: PASSWORD,
    address: HOOD,
  });
  assert.equal(r.status, 201, `${label}: register answered ${r.status} ${JSON.stringify(r.body)}`);
  u.id = r.body.user ? r.body.user.id : r.body.id;
  u.name = name;
  await u.page.goto('/');
  await visible(u, tid('write-button'), 'the board after registering');
  return u;
}

async function sendMessage(u, text) {
  const p = u.page;
  await p.locator(tid('message-input')).fill(text);
  await press(u, p.locator(tid('send-button')));
  await visible(u, `${tid('chat-message')}[data-pending="false"]:has-text("${text}")`, `the echo of "${text}"`);
}

const badge = async (u) => {
  const b = u.page.locator(tid('tab-chats-badge'));
  return (await b.count()) ? (await b.innerText()).trim() : '0';
};

/**
 * The service worker once it is active and controls the page. The first
 * load is controlled only when the worker claims it; if the worker is active
 * but the page is still not controlled, a reload (what a resident's next
 * visit does) must be.
 */
async function swReady(u) {
  const state = () =>
    u.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/');
      return JSON.stringify({
        controlled: !!navigator.serviceWorker.controller,
        installing: reg?.installing?.state ?? null,
        waiting: reg?.waiting?.state ?? null,
        active: reg?.active?.state ?? null,
      });
    });
  const active = async () => JSON.parse(await state()).active === 'activated';
  await until(u, active, 'the service worker to be activated', 20000).catch(async (e) => {
    throw new Error(`${e.message}; registration: ${await state().catch((x) => x)}`);
  });
  if (!JSON.parse(await state()).controlled) await u.page.reload();
  return until(u, async () => JSON.parse(await state()).controlled, 'the service worker to control the page');
}

describe('my chats, unread counts, live updates and Web Push (issue 13) at phone-390x844', () => {
  const S = { server: null, push: null, browser: null, users: [], failed: null, overflow: [] };
  function step(title, fn) {
    it(title, async (t) => {
      if (S.failed) return t.skip(`an earlier step failed: ${S.failed}`);
      try {
        await fn(t);
      } catch (e) {
        S.failed = title;
        for (const u of S.users) await failureShot(u, title);
        throw e;
      }
    });
  }
  before(async () => {
    S.push = await startFakePush();
    S.server = await startServer({ args: ['--push-allow', S.push.addr] });
    S.browser = await launch();
  });
  after(async () => {
    for (const u of S.users) await u.context.close().catch(() => {});
    await S.browser?.close().catch(() => {});
    if (S.failed && S.server) console.error(`--- server log ---\n${S.server.log()}`);
    await S.server?.stop();
    await S.push?.stop();
  });

  const run = Math.random().toString(36).slice(2, 7);
  let A, B, roomId, postId;

  step('A and B register; A writes a group order', async () => {
    A = await resident(S, 'A', `a${run}`, await S.push.subscription());
    B = await resident(S, 'B', `b${run}`, await S.push.subscription());
    S.users.push(A, B);
    const orderAt = new Date(Date.now() + 60 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = await api(A, 'POST', '/api/post/write/', {
      title: `치킨 같이 ${run}`,
      category: '치킨',
      target_number: 4,
      content: '반반 시켜요.',
      store_name: '교촌치킨 사직점',
      delivery_fee: 3000,
      min_order: 20000,
      order_at: orderAt,
      pickup_spot: '사직동 주민센터 앞',
    });
    assert.equal(r.status, 201, `write: ${r.status} ${JSON.stringify(r.body)}`);
    postId = r.body.id;
    roomId = r.body.chat_id;
    assert.ok(roomId, 'the post names its room');
  });

  step('the manifest parses and the service worker is registered, not asked for push on first load', async () => {
    const u = B;
    await swReady(u);
    const cdp = await u.context.newCDPSession(u.page);
    const m = await cdp.send('Page.getAppManifest');
    await cdp.detach();
    assert.deepEqual(m.errors, [], `manifest errors: ${JSON.stringify(m.errors)}`);
    assert.match(m.url, /\/manifest\.webmanifest$/);
    const man = JSON.parse(m.data);
    assert.equal(man.name, '밀버디');
    assert.equal(man.short_name, '밀버디');
    assert.equal(man.lang, 'ko');
    assert.equal(man.display, 'standalone');
    assert.equal(man.start_url, '/');
    const sizes = man.icons.map((i) => `${i.sizes} ${i.purpose}`).sort();
    assert.deepEqual(sizes, ['192x192 any', '192x192 maskable', '512x512 any', '512x512 maskable']);
    for (const icon of man.icons) {
      const r = await u.page.request.get(icon.src);
      assert.equal(r.status(), 200, `${icon.src}`);
      assert.equal(r.headers()['content-type'], 'image/png', `${icon.src}`);
    }
    const res = await u.page.request.get('/manifest.webmanifest');
    assert.match(res.headers()['content-type'], /^application\/manifest\+json/);
    const sw = await u.page.request.get('/sw.js');
    assert.match(sw.headers()['content-type'], /javascript/);
    assert.equal(sw.headers()['cache-control'], 'no-cache');
    // Never offered on a first load: only after joining an order.
    assert.equal(await u.page.locator(tid('push-offer')).count(), 0, 'no 알림 받기 on the board');
    const subs = await u.page.evaluate(() => sessionStorage.getItem('e2e-fake-push'));
    assert.equal(subs, null, 'nothing subscribed before the resident asked');
  });

  step('B joins the order and takes 알림 받기 in the room: subscribed through the service worker', async () => {
    const u = B;
    await u.page.goto(`/post/${postId}/`);
    const posted = u.page.waitForResponse((r) => r.url().endsWith('/api/push/subscriptions/') && r.request().method() === 'POST');
    await press(u, await visible(u, tid('join-button'), 'the 참여하기 button'));
    await press(u, await visible(u, tid('join-confirm'), 'the join sheet’s 참여할게요'));
    await path(u, /^\/chat\/\d+\/$/, 'the room after joining');
    await press(u, await visible(u, tid('push-offer-accept'), 'the 알림 받기 offer after joining'));
    const res = await posted;
    assert.equal(res.status(), 201, 'POST /api/push/subscriptions/');
    assert.deepEqual(res.request().postDataJSON(), { endpoint: B.sub.endpoint, keys: B.sub.keys }, 'the subscription JSON posted');
    const keyLen = await u.page.evaluate(() => sessionStorage.getItem('e2e-fake-push'));
    assert.equal(keyLen, '65', "subscribed with the server's VAPID key (65 bytes)");
    await visible(u, tid('push-offer-result'), 'the 알림을 켰어요 note');
    assert.match(await u.page.locator(tid('push-offer-result')).innerText(), /알림을 켰어요/);
  });

  step('A turns notifications on in 내 정보', async () => {
    const u = A;
    await press(u, u.page.locator(tid('tab-me')));
    await path(u, /^\/me\/$/, 'the profile page');
    await visible(u, `${tid('push-settings')}[data-state="off"]`, 'the push switch, off');
    const posted = u.page.waitForResponse((r) => r.url().endsWith('/api/push/subscriptions/') && r.request().method() === 'POST');
    await press(u, u.page.locator(tid('push-switch')));
    assert.equal((await posted).status(), 201);
    await visible(u, `${tid('push-settings')}[data-state="on"]`, 'the push switch, on');
    await shot(u, 'chatlist-01-profile-push', S.overflow);
  });

  let before0;
  step('B waits on the board; A writes: B sees the badge and the tab title go up live', async () => {
    await B.page.goto('/');
    await visible(B, tid('post-list'), "B's board");
    await until(B, async () => (await badge(B)) === '0', "B's badge to be empty (B has read the room)");
    await B.page.evaluate(() => (window.__sameDocument = true));
    before0 = await S.push.received();

    await A.page.goto(`/chat/${roomId}/`);
    await visible(A, `${tid('connection-state')}[data-state="open"]`, "A's room socket");
    await sendMessage(A, `안녕하세요 ${run}`);
    await until(B, async () => (await badge(B)) === '1', "B's 채팅 badge to show 1");
    await until(B, async () => /^\(1\) /.test(await B.page.title()), 'B\'s tab title to lead with "(1) "');
    await sendMessage(A, `7시에 주문해요 ${run}`);
    await until(B, async () => (await badge(B)) === '2', "B's 채팅 badge to show 2");
    assert.match(await B.page.title(), /^\(2\) .*밀버디/);
    assert.equal(await B.page.evaluate(() => window.__sameDocument), true, 'B never reloaded');
    await shot(B, 'chatlist-02-board-badge', S.overflow);
  });

  step("A's messages while B's room is closed: exactly one push, to B, none to A", async () => {
    const fresh = async () => (await S.push.received()).slice(before0.length);
    await until(B, async () => (await fresh()).length >= 1, 'a push to arrive at the fake push service', 20000);
    // Let any further push (a second message, A's own) arrive before counting.
    await new Promise((r) => setTimeout(r, 3000));
    const got = await fresh();
    const toB = got.filter((p) => p.endpoint === B.sub.endpoint);
    const toA = got.filter((p) => p.endpoint === A.sub.endpoint);
    assert.equal(toA.length, 0, `no push to A, the writer: ${JSON.stringify(toA)}`);
    assert.equal(toB.length, 1, `exactly one push to B for two messages (collapsed per room): ${JSON.stringify(got)}`);
    assert.equal(got.length, 1, `nothing else pushed: ${JSON.stringify(got)}`);
    const payload = toB[0].payload;
    assert.equal(payload.url, `/chat/${roomId}/`);
    assert.equal(payload.tag, `room-${roomId}`);
    assert.equal(typeof payload.title, 'string');
    assert.ok(payload.title.length > 0 && typeof payload.body === 'string', `payload: ${JSON.stringify(payload)}`);
    assert.ok(!JSON.stringify(payload).includes('@example.com'), 'no email in a push');
    S.payload = payload;
  });

  step("the push reaches B's real service worker: a notification for the room", async () => {
    const u = B;
    const cdp = await u.context.newCDPSession(u.page);
    const regs = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
    const workerErrors = [];
    cdp.on('ServiceWorker.workerErrorReported', (e) => workerErrors.push(e.errorMessage));
    await cdp.send('ServiceWorker.enable');
    const reg = await until(u, async () => regs.find((r) => !r.isDeleted && r.scopeURL === `${S.server.base}/`), 'the service worker registration in CDP');
    const shown = async () => {
      const n = await u.page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((x) => ({ title: x.title, body: x.body, tag: x.tag, data: x.data })),
      );
      return n.length ? n : null;
    };
    // Now and then no notification ever showed for a push delivered through
    // CDP (3 of 7 runs within ten minutes on 2026-11-29, then none in the 41
    // runs after, with and without more logging); the cause was not found. The same push again replaces the
    // room's notification (same tag), so the checks below are unchanged.
    // Up to three deliveries, 5 s each; a retry is printed.
    let notes = null;
    for (let delivery = 1; !notes; delivery++) {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: S.server.base,
        registrationId: reg.registrationId,
        data: JSON.stringify(S.payload),
      });
      notes = await until(u, shown, `a notification shown by the service worker (delivery ${delivery} of 3)`, 5000).catch((e) => {
        if (delivery === 3) throw e;
        console.log(`push: no notification 5 s after delivery ${delivery}; delivering again`);
        return null;
      });
    }
    await cdp.detach();
    assert.deepEqual(workerErrors, [], 'the service worker reported no error');
    assert.equal(notes.length, 1);
    assert.equal(notes[0].title, S.payload.title);
    assert.equal(notes[0].body, S.payload.body);
    assert.equal(notes[0].tag, `room-${roomId}`);
    assert.deepEqual(notes[0].data, { url: `/chat/${roomId}/` });
  });

  step('B opens the chat list: the last message and the count; opens the room and the count drops to 0', async () => {
    const u = B;
    await press(u, u.page.locator(tid('tab-chats')));
    await path(u, /^\/chats\/$/, 'the chat list');
    const row = await visible(u, `${tid('chat-row')}[data-room-id="${roomId}"]`, 'the room in the chat list');
    assert.equal((await row.locator(tid('chat-row-unread')).innerText()).trim(), '2');
    assert.match(await row.locator(tid('chat-row-last')).innerText(), new RegExp(`${A.name}: 7시에 주문해요 ${run}`));
    assert.match(await row.innerText(), new RegExp(`치킨 같이 ${run}`));
    assert.match(await row.innerText(), /교촌치킨 사직점/);
    assert.match(await row.innerText(), /모집 중/);
    await shot(u, 'chatlist-03-list', S.overflow);
    await press(u, row);
    await path(u, new RegExp(`^/chat/${roomId}/$`), 'the room from the list');
    await visible(u, `${tid('chat-message')}:has-text("7시에 주문해요 ${run}")`, 'the newest message in the room');
    await until(u, async () => (await badge(u)) === '0', "B's badge to drop to 0");
    await until(u, async () => !/^\(\d+\)/.test(await u.page.title()), 'the count to leave the tab title');
    // The read marker reached the server.
    await until(
      u,
      async () => {
        const r = await api(u, 'GET', '/api/chat/');
        const it = r.body.rooms.find((x) => x.id === roomId);
        return it && it.unread === 0;
      },
      'GET /api/chat/ to say 0 unread for the room',
    );
    await shot(u, 'chatlist-04-room-read', S.overflow);
  });

  step('B mutes the room from its header; the list shows it', async () => {
    const u = B;
    const posted = u.page.waitForResponse((r) => r.url().endsWith(`/api/chat/${roomId}/mute/`));
    await press(u, await visible(u, `${tid('mute-toggle')}[data-muted="false"]`, 'the mute toggle'));
    assert.equal((await posted).status(), 204);
    await visible(u, `${tid('mute-toggle')}[data-muted="true"]`, 'the toggle, muted');
    // In a room on phones the room header is the only bar (issue 14): its ← goes to the list.
    await press(u, u.page.locator(tid('chat-back')));
    await visible(u, `${tid('chat-row')}[data-room-id="${roomId}"][data-muted="true"] ${tid('chat-row-muted')}`, 'the 🔕 in the list');
  });

  step('offline: the service worker serves the shell and the app says 오프라인이에요', async () => {
    const u = B;
    await swReady(u);
    await u.context.setOffline(true);
    try {
      const res = await u.page.reload();
      assert.ok(res && res.fromServiceWorker(), 'the reload was answered by the service worker');
      await visible(u, tid('offline-state'), 'the 오프라인이에요 screen');
      assert.match(await u.page.locator(tid('offline-state')).innerText(), /오프라인이에요/);
      await shot(u, 'chatlist-05-offline', S.overflow);
    } finally {
      await u.context.setOffline(false);
    }
    await visible(u, tid('chat-list'), 'the chat list again once back online');
  });

  step('B logs out: the subscription is deleted and the worker drops its caches', async () => {
    const u = B;
    assert.ok((await u.page.evaluate(() => caches.keys())).length > 0, 'the worker keeps a cache while signed in');
    await press(u, u.page.locator(tid('tab-me')));
    const deleted = u.page.waitForResponse((r) => r.url().endsWith('/api/push/subscriptions/') && r.request().method() === 'DELETE');
    await press(u, await visible(u, tid('logout-button'), 'the logout button'));
    const res = await deleted;
    assert.equal(res.status(), 204, 'DELETE /api/push/subscriptions/');
    assert.deepEqual(res.request().postDataJSON(), { endpoint: B.sub.endpoint });
    await gone(u, tid('tabbar'), 'the tab bar after logging out');
    await until(u, async () => (await u.page.evaluate(() => caches.keys())).length === 0, 'the caches to be emptied');
    assert.equal(await u.page.evaluate(() => sessionStorage.getItem('e2e-fake-push')), null, 'unsubscribed in the browser');
  });

  step('with the server gone, the app still opens from the cached shell', async () => {
    // setOffline may or may not reach the worker's own fetches; a stopped
    // server leaves the cache as the only possible source of the page.
    const u = B;
    await u.page.goto('/login/');
    await visible(u, tid('login-email'), 'the login page');
    await until(u, async () => (await u.page.evaluate(async () => !!(await caches.match('/')))), 'the shell to be cached again');
    await S.server.stop();
    const res = await u.page.reload();
    assert.ok(res && res.fromServiceWorker(), 'the reload was answered by the service worker');
    await visible(u, `${tid('error-panel')}, ${tid('offline-state')}`, 'the app itself, saying it cannot connect');
    await shot(u, 'chatlist-06-server-gone', S.overflow);
  });

  it('no uncaught page error, no CSP violation, and nothing wider than the phone', () => {
    for (const u of S.users) {
      assert.deepEqual(u.mon.pageErrors, [], `${u.label}: uncaught errors in the page`);
      assert.deepEqual(u.mon.cspViolations, [], `${u.label}: CSP violations`);
      assert.deepEqual(u.mon.urlsWithToken, [], `${u.label}: a URL carried a token`);
    }
    assert.deepEqual(S.overflow, [], 'horizontal overflow');
  });
});
