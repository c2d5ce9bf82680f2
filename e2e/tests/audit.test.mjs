// The issue-14 audit: every screen at 360×740, 390×844 (touch) and 1280×800,
// with realistic content (a group order with carts, a chat with a few
// messages, a report in the staff queue, the weather row from a fake
// Open-Meteo), and the 오프라인이에요 screen. Each screen must have
//   - no serious or critical axe-core violation (axe-core from npm, injected),
//   - no content wider than the viewport (horizontalOverflow()),
//   - every visible control at least 44×44 px, except links in running text.
// One test per screen and viewport, so a failure names the screen; each failure
// lists axe rule, impact and target, the overflowing element, or the small
// controls. Screenshots at 360 px: e2e/screenshots/phone-360x740-audit-<screen>.png.
// Also: a route chunk that cannot be fetched shows 다시 시도, which recovers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, horizontalOverflow, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, until, failureShot, api } from '../lib/helpers.mjs';
import { axeViolations, smallTapTargets } from '../lib/a11y.mjs';
import { startFakeWeather } from '../lib/fakeweather.mjs';

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';
// axe-core is added as a script tag, which the app's CSP (rightly) forbids;
// workers are blocked so that page.route sees every chunk request.
const AUDIT_CONTEXT = { bypassCSP: true, serviceWorkers: 'block' };

binaryPath();

function createUser(server, { email, username, admin }) {
  const args = ['user', 'create', '--data', join(server.dataDir, 'data'), '--email', email, '--username', username, '--address', HOOD];
  if (admin) args.push('--admin');
  const r = spawnSync(binaryPath(), args, { input: PASSWORD + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, `mealbuddy ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

describe('audit: axe-core, overflow and tap targets on every screen', () => {
  const S = { server: null, weather: null, browser: null, contexts: [], run: Math.random().toString(36).slice(2, 7) };
  const email = (who) => `${who}.${S.run}@example.com`;

  async function signIn(vp, who, label) {
    const u = await newUser(S.browser, vp, S.server.base, label, AUDIT_CONTEXT);
    S.contexts.push(u);
    await u.page.goto('/login/');
    const r = await api(u, 'POST', '/api/user/login/', { email: email(who), password: PASSWORD });
    assert.equal(r.status, 200, `${label}: login answered ${r.status} ${JSON.stringify(r.body)}`);
    return u;
  }

  async function sendMessage(u, text) {
    await u.page.locator(tid('message-input')).fill(text);
    await press(u, u.page.locator(tid('send-button')));
    await visible(u, `${tid('chat-message')}[data-pending="false"]`, `"${text.slice(0, 20)}…" confirmed`);
    await until(
      u,
      async () => (await u.page.locator(`${tid('chat-message')}[data-pending="false"]`).allInnerTexts()).some((t) => t.includes(text.slice(0, 30))),
      `"${text.slice(0, 20)}…" confirmed by the server`,
    );
  }

  before(async () => {
    S.weather = await startFakeWeather();
    S.server = await startServer({ args: ['--weather', 'open-meteo', '--openmeteo-url', S.weather.base] });
    S.browser = await launch();
    createUser(S.server, { email: email('staff'), username: `관리자${S.run}`, admin: true });
    createUser(S.server, { email: email('organiser'), username: `김민준${S.run}` });
    createUser(S.server, { email: email('neighbour'), username: `이서연${S.run}` });
    const desk = VIEWPORTS.find((v) => v.name === 'desktop-1280x800');
    const O = await signIn(desk, 'organiser', 'seed-organiser');
    const N = await signIn(desk, 'neighbour', 'seed-neighbour');
    const staff = await signIn(desk, 'staff', 'seed-staff');
    // A plain post, then a group order with a store, a fee and a deadline.
    const plain = await api(N, 'POST', '/api/post/write/', {
      title: '떡볶이 튀김 세트 같이 시켜요',
      category: '분식',
      target_number: 3,
      content: '순대 추가해요. 사직동 주민센터 앞에서 받아요.',
    });
    assert.equal(plain.status, 201, `plain post: ${JSON.stringify(plain.body)}`);
    const order = await api(O, 'POST', '/api/post/write/', {
      title: '교촌치킨 허니콤보 반반 같이 시켜요',
      category: '치킨',
      target_number: 4,
      content: '배달비 3,000원 나눠요. 7시에 주문하고 사직동 주민센터 앞에서 받아요.',
      store_name: '교촌치킨 사직점',
      delivery_fee: 3000,
      min_order: 20000,
      order_at: new Date(Date.now() + 2 * 3600e3).toISOString(),
      pickup_spot: '사직동 주민센터 앞',
    });
    assert.equal(order.status, 201, `order post: ${JSON.stringify(order.body)}`);
    S.post = String(order.body.id);
    const detail = await api(O, 'GET', `/api/post/detail/${S.post}/`);
    S.room = String(detail.body.chat_id ?? detail.body.post?.chat_id ?? '');
    assert.ok(S.room, `the order's room id: ${JSON.stringify(detail.body)}`);
    const join = await api(N, 'POST', `/api/chat/${S.room}/`);
    assert.equal(join.status, 200, `join: ${JSON.stringify(join.body)}`);
    for (const [u, items] of [
      [O, [{ name: '허니콤보', price: 23000, qty: 1, note: '' }]],
      [N, [{ name: '레드콤보 반반', price: 12000, qty: 1, note: '순살로요' }]],
    ]) {
      const r = await api(u, 'PUT', `/api/chat/${S.room}/order/cart/`, { items });
      assert.equal(r.status, 200, `cart: ${JSON.stringify(r.body)}`);
    }
    // A few messages, typed in the room like residents do.
    for (const [u, text] of [
      [O, '안녕하세요! 7시에 주문할게요.'],
      [N, '저도 참여했어요. 순살로 부탁드려요 🙏'],
      [N, '메뉴는 여기서 봤어요 https://example.com/menu/kyochon-sajik-honey-combo-half-and-half'],
      [O, '네, 받으면 채팅 남길게요.'],
    ]) {
      if (!u.page.url().endsWith(`/chat/${S.room}/`)) {
        await u.page.goto(`/chat/${S.room}/`);
        await visible(u, `${tid('connection-state')}[data-state="open"]`, 'the room connection');
      }
      await sendMessage(u, text);
    }
    // One report for the staff queue.
    const rep = await api(N, 'POST', '/api/reports/', { target: 'post', id: Number(plain.body.id), reason: 'spam', text: '전단지 광고 같아요' });
    assert.ok(rep.status === 201 || rep.status === 200, `report: ${JSON.stringify(rep.body)}`);
    for (const u of [O, N, staff]) await u.context.close();
  });

  after(async () => {
    for (const u of S.contexts) await u.context.close().catch(() => {});
    await S.browser?.close().catch(() => {});
    await S.server?.stop();
    await S.weather?.close();
  });

  for (const vp of VIEWPORTS) {
    describe(`at ${vp.name}`, () => {
      const who = {};
      // Each viewport's residents hold keep-alive connections and sockets:
      // close them before the next viewport, or the server's cap of 64
      // connections per address resets new ones (the last test's page.goto).
      after(async () => {
        for (const u of Object.values(who)) await u.context.close().catch(() => {});
      });
      const ctx = async (k) => {
        if (!who[k]) {
          if (k.startsWith('guest')) {
            who[k] = await newUser(S.browser, vp, S.server.base, k, AUDIT_CONTEXT);
            S.contexts.push(who[k]);
          } else who[k] = await signIn(vp, k, k);
        }
        return who[k];
      };

      /**
       * Opens a screen, waits for `ready`, optionally does more (`then`), and
       * checks it: axe, overflow, tap targets. All three findings in one error.
       */
      function screen(name, { as = 'organiser', url, setup, ready, then }) {
        it(`${name}`, async () => {
          const u = await ctx(as);
          try {
            if (setup) await setup(u);
            await u.page.goto(typeof url === 'function' ? url() : url);
            await visible(u, ready, `the ${name} screen`);
            if (then) await then(u);
            await u.page.evaluate(() => document.fonts && document.fonts.ready);
            if (vp.name === 'phone-360x740') await shot(u, `audit-${name}`); // the screens people look at
            const problems = [];
            const axe = await axeViolations(u.page);
            if (axe.length) problems.push(`axe-core:\n    ${axe.join('\n    ')}`);
            const wide = await horizontalOverflow(u.page);
            if (wide) problems.push(`wider than the viewport: ${wide}`);
            const small = await smallTapTargets(u.page);
            if (small.length) problems.push(`tap targets under 44×44 px:\n    ${small.join('\n    ')}`);
            assert.equal(problems.length, 0, `${name} at ${vp.name}:\n  ${problems.join('\n  ')}`);
          } catch (e) {
            await failureShot(u, `audit-${name}`);
            throw e;
          }
        });
      }

      screen('landing', { as: 'guest', url: '/', ready: tid('landing-register') });
      screen('login', { as: 'guest', url: '/login/', ready: tid('login-email') });
      screen('register', { as: 'guest', url: '/register/', ready: tid('register-email') });
      screen('reset-password', { as: 'guest', url: '/reset-password/', ready: `${tid('reset-email')}, ${tid('reset-ask-operator')}` });
      screen('board', {
        url: '/',
        ready: `${tid('post-item')}, ${tid('weather-toggle')}`,
        then: async (u) => {
          await visible(u, tid('post-item'), 'a post on the board');
        },
      });
      // The weather and menu strip, opened (phones show it closed).
      screen('board-menu', {
        url: '/',
        ready: tid('weather-toggle'),
        then: async (u) => {
          const toggle = u.page.locator(tid('weather-toggle'));
          if ((await toggle.getAttribute('aria-expanded')) !== 'true') await press(u, toggle);
          await visible(u, tid('weather-now'), 'the weather row (fake Open-Meteo)');
          await press(u, u.page.locator(tid('menu-recommend')));
          await visible(u, tid('menu-result'), 'the menu suggestion');
        },
      });
      screen('write', { url: '/write/', ready: tid('post-title') });
      // A function url is read when the test runs (S.post is set in before()).
      screen('post', { url: () => `/post/${S.post}/`, ready: tid('post-detail') });
      screen('edit', { url: () => `/post/${S.post}/edit/`, ready: tid('post-title') });
      screen('chats', { url: '/chats/', ready: tid('chat-row') });
      screen('room', {
        url: () => `/chat/${S.room}/`,
        ready: `${tid('connection-state')}[data-state="open"]`,
        then: async (u) => {
          await until(u, async () => (await u.page.locator(tid('chat-message')).count()) >= 4, 'the four messages');
        },
      });
      screen('profile', { url: '/me/', ready: tid('profile-username') });
      screen('admin', { as: 'staff', url: '/admin/', ready: tid('admin-report') });
      screen('not-found', { url: '/no-such-page/', ready: tid('not-found') });
      // Opened without a network: the first API call fails, then the browser goes
      // offline (the service worker's cached shell has its own test in chatlist).
      screen('offline', {
        as: 'guest-offline',
        url: '/',
        setup: (u) => u.page.route('**/api/user/current/', (r) => r.abort('internetdisconnected')),
        ready: tid('error-panel'),
        then: async (u) => {
          await u.context.setOffline(true);
          await visible(u, tid('offline-state'), 'the 오프라인이에요 screen');
        },
      });
    });
  }

  it('a route chunk that cannot be fetched shows 다시 시도, and 다시 시도 loads it', async () => {
    const vp = VIEWPORTS[0];
    const u = await newUser(S.browser, vp, S.server.base, 'chunk-guest', AUDIT_CONTEXT);
    S.contexts.push(u);
    try {
      await u.page.goto('/');
      await visible(u, tid('landing-register'), 'the landing page');
      const block = (route) => route.abort('internetdisconnected');
      await u.page.route(/\/assets\/ResetPassword-[^/]*\.js$/, block);
      // Client-side navigation, as a tap on a link does (the entry is already loaded).
      await u.page.evaluate(() => {
        history.pushState(null, '', '/reset-password/');
        dispatchEvent(new PopStateEvent('popstate'));
      });
      await visible(u, tid('chunk-error'), 'the 화면을 불러오지 못했어요 panel');
      assert.match(await u.page.locator(tid('chunk-error')).innerText(), /다시 시도/);
      await shot(u, 'audit-chunk-error');
      await u.page.unroute(/\/assets\/ResetPassword-[^/]*\.js$/, block);
      await press(u, u.page.locator(tid('chunk-retry')));
      await visible(u, `${tid('reset-email')}, ${tid('reset-ask-operator')}`, 'the reset-password screen after 다시 시도');
    } catch (e) {
      await failureShot(u, 'audit-chunk');
      throw e;
    }
  });
});
