// The board and joining on phones and desktop (issue 14 §2, §3 and their §6
// parts): the first post above the fold, the weather/menu strip, a one-line
// pager that steps one page and brings the list back into view, short and
// full place names, the empty board's "widen the range" hint, relative times
// that move on without a reload, the sticky action bar, the join sheet (no
// browser dialog), a failed join that refreshes the post, a banned resident's
// refusal, and tap sizes. One server for the file; each viewport gets fresh
// contexts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, horizontalOverflow, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, gone, path, until, failureShot } from '../lib/helpers.mjs';

const SAJIK = '서울특별시 종로구 사직동';
const CHEONGUN = '서울특별시 종로구 청운효자동'; // ~1.2 km from 사직동: in range 1
const PASSWORD = 'e2e-pass-1234';
const FILLER = 23; // with the per-viewport posts: three pages of ten at range 0

// Until lib/browser.mjs has a 360×740 phone (the e2e-audit helper adds it), this file brings its own.
const PHONE_360 = {
  name: 'phone-360x740',
  options: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};
// BOARD_VIEWPORTS=phone-360x740,… runs only those (while working on one screen).
const VPS = [
  VIEWPORTS.find((v) => v.name === PHONE_360.name) ?? PHONE_360,
  ...VIEWPORTS.filter((v) => v.name !== PHONE_360.name),
].filter((v) => !process.env.BOARD_VIEWPORTS || process.env.BOARD_VIEWPORTS.split(',').includes(v.name));
const DESKTOP = VPS[VPS.length - 1];

binaryPath();

function createUser(server, { email, username, address }) {
  const args = ['user', 'create', '--data', join(server.dataDir, 'data'), '--email', email, '--username', username, '--address', address];
  const r = spawnSync(binaryPath(), args, { input: PASSWORD + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, `mealbuddy ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

/** A JSON call with the page's own session. */
async function api(u, method, url, body) {
  return u.page.evaluate(
    async ({ method, url, body }) => {
      const res = await fetch(url, {
        method,
        headers: { 'X-MealBuddy-Client': 'web', 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: json ?? text };
    },
    { method, url, body },
  );
}

/** The element's box in CSS pixels of the viewport. */
const box = (u, selector) =>
  u.page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
  });

/** Every matching visible element at least 44×44 px; returns the ones that are not. */
const smallTargets = (u, selector) =>
  u.page.locator(selector).evaluateAll((els) =>
    els
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none')
      .map((el) => ({ what: el.getAttribute('data-testid') || el.textContent.trim(), r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 - 0.5 || r.height < 44 - 0.5)
      .map(({ what, r }) => `${what} ${Math.round(r.width)}×${Math.round(r.height)}`),
  );

/** "방금 전" → 0, "7분 전" → 7; NaN for anything else. */
const minutesAgo = (text) => (text.trim() === '방금 전' ? 0 : Number((text.match(/^(\d+)분 전$/) || [])[1]));

describe('board and joining (issue 14 §2, §3)', () => {
  const S = { server: null, browser: null, users: [], failed: null, overflow: [], run: Math.random().toString(36).slice(2, 7), posts: {}, cookies: {} };

  function step(name, fn) {
    it(name, async (t) => {
      if (S.failed) return t.skip(`an earlier step failed: ${S.failed}`);
      try {
        await fn(t);
      } catch (e) {
        S.failed = name;
        for (const u of S.users) await failureShot(u, `board-${name}`);
        throw e;
      }
    });
  }

  before(async () => {
    S.server = await startServer({ args: ['--max-open-posts', '0'] });
    S.browser = await launch();
  });

  after(async () => {
    for (const u of S.users) await u.context.close().catch(() => {});
    await S.browser?.close().catch(() => {});
    if (S.failed && S.server) console.error(`--- server log (board) ---\n${S.server.log()}`);
    await S.server?.stop();
  });

  const email = (who) => `${who}.${S.run}@example.com`;

  async function login(vp, who, { cls = false } = {}) {
    const u = await newUser(S.browser, vp, S.server.base, who);
    S.users.push(u);
    if (cls) {
      // Layout shifts of each document, as Lighthouse counts them (not after input).
      await u.context.addInitScript(() => {
        window.__cls = 0;
        window.__shifts = [];
        const name = (n) => (n && n.nodeType === 1 ? `${n.tagName.toLowerCase()}.${n.className || ''}[${n.getAttribute('data-testid') || ''}]` : String(n && n.nodeName));
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            if (e.hadRecentInput) continue;
            window.__cls += e.value;
            window.__shifts.push(`${e.value.toFixed(3)} ${location.pathname}: ${(e.sources || []).map((x) => `${name(x.node)} ${Math.round(x.previousRect.y)}→${Math.round(x.currentRect.y)}`).join(', ')}`);
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
    }
    // One password login per resident (hashing is slow on a busy machine);
    // later viewports reuse its session cookie.
    if (S.cookies[who]) {
      await u.context.addCookies(S.cookies[who]);
      await u.page.goto('/');
      await visible(u, tid('write-button'), 'the board with the saved session');
      return u;
    }
    await u.page.goto('/login/');
    await (await visible(u, tid('login-email'), 'the login form')).fill(email(who));
    await u.page.locator(tid('login-password')).fill(PASSWORD);
    await press(u, u.page.locator(tid('login-submit')));
    await visible(u, tid('write-button'), 'the board after logging in');
    S.cookies[who] = await u.context.cookies();
    return u;
  }

  async function write(u, post) {
    const r = await api(u, 'POST', '/api/post/write/', { category: '치킨', target_number: 4, content: '같이 시켜요', ...post });
    assert.equal(r.status, 201, `write "${post.title}": ${JSON.stringify(r.body)}`);
    return String(r.body.id);
  }

  step('residents of 사직동 and 청운효자동; a board of three pages, a banned resident', async () => {
    for (const [who, address] of [
      ['writer', SAJIK],
      ['far', CHEONGUN],
      ['resident', SAJIK],
      ['banned', SAJIK],
      ['racer', SAJIK],
    ])
      createUser(S.server, { email: email(who), username: `${who}${S.run}`, address });
    const W = await login(DESKTOP, 'writer');
    for (let i = 1; i <= FILLER; i++) await write(W, { title: `치킨 모집 ${i}` });
    for (const vp of VPS) {
      S.posts[vp.name] = {
        join: await write(W, { title: `족발 같이 ${vp.name}`, content: '저녁 7시에 주문해요. 골목 앞에서 받아요.\n'.repeat(45) }),
        race: await write(W, { title: `마지막 한 자리 ${vp.name}`, target_number: 2 }),
      };
    }
    S.posts.banned = await write(W, { title: `밴 확인 ${S.run}` });
    const F = await login(DESKTOP, 'far');
    S.posts.far = await write(F, { title: `청운 피자 ${S.run}`, category: '피자' });
    // The banned resident joins, then the writer sends them out.
    const B = await login(DESKTOP, 'banned');
    const roomOf = async (id) => (await api(W, 'GET', `/api/post/detail/${id}/`)).body.chat_id;
    const bannedRoom = await roomOf(S.posts.banned);
    assert.equal((await api(B, 'POST', `/api/chat/${bannedRoom}/`)).status, 200, 'the banned resident joins first');
    const members = (await api(W, 'GET', `/api/chat/${bannedRoom}/user/`)).body;
    const bId = members.map((m) => m.user).find((m) => m.username === `banned${S.run}`).id;
    const ban = await api(W, 'POST', `/api/chat/${bannedRoom}/user/ban/`, { target_user_id: bId });
    assert.equal(ban.status, 202, `ban: ${JSON.stringify(ban.body)}`);
    S.racer = await login(DESKTOP, 'racer');
    S.rooms = {};
    for (const vp of VPS) S.rooms[S.posts[vp.name].race] = await roomOf(S.posts[vp.name].race);
    for (const u of [W, F, B]) await u.context.close();
    S.users = S.users.filter((u) => ![W, F, B].includes(u));
  });

  for (const vp of VPS) {
    const phone = Boolean(vp.options.hasTouch);
    const H = vp.options.viewport.height;
    const W = vp.options.viewport.width;
    const at = `at ${vp.name}`;
    const C = {};

    step(`${at}: the first post is above the fold and nothing jumps while the board loads`, async () => {
      C.u = await login(vp, 'resident', { cls: true });
      const u = C.u;
      await u.page.goto('/?range=0');
      await visible(u, tid('post-item'), 'the first post');
      await u.page.waitForLoadState('networkidle');
      const first = await box(u, tid('post-item'));
      assert.ok(first.top < H, `the first post's top should be above the fold (${H}), got ${first.top}`);
      const { cls, shifts } = await u.page.evaluate(() => ({ cls: window.__cls, shifts: window.__shifts }));
      assert.ok(cls < 0.1, `the board's cumulative layout shift should stay under 0.1, got ${cls}: ${shifts.join('; ')}`);
      const o = await horizontalOverflow(u.page);
      assert.equal(o, '', `nothing on the board may be wider than ${W} px: ${o}`);
      await shot(u, 'board', S.overflow);
    });

    step(`${at}: the weather and menu strip is one line that opens on tap`, async () => {
      const u = C.u;
      const toggle = await visible(u, tid('weather-toggle'), 'the strip');
      const strip = await box(u, tid('weather-toggle'));
      assert.ok(strip.height >= 44 && strip.height <= 56, `the strip is one line of 44–56 px, got ${strip.height}`);
      assert.equal(await toggle.getAttribute('aria-expanded'), phone ? 'false' : 'true', `the strip starts ${phone ? 'closed on a phone' : 'open on a desk'}`);
      if (phone) {
        assert.equal(await u.page.locator(tid('menu-recommend')).isVisible(), false, 'the menu button hides in the closed strip');
        await press(u, toggle);
      }
      await until(u, async () => (await toggle.getAttribute('aria-expanded')) === 'true', 'aria-expanded="true"');
      await visible(u, tid('menu-recommend'), 'the 메뉴 추천 button in the open strip');
      if (phone) await shot(u, 'board-strip-open', S.overflow);
      await press(u, toggle);
      await until(u, async () => (await toggle.getAttribute('aria-expanded')) === 'false', 'the strip closing again');
      assert.equal(await u.page.locator(tid('menu-recommend')).isVisible(), false, 'the menu button hides again');
    });

    step(`${at}: my own neighbourhood's cards say "사직동"; a wider range names the gu`, async () => {
      const u = C.u;
      const own = u.page.locator(`${tid('post-item')}[data-post-id="${S.posts[vp.name].join}"] ${tid('post-place')}`);
      assert.equal((await own.innerText()).trim(), '사직동', 'a card of my own neighbourhood shows the dong alone');
      await u.page.goto('/?range=1');
      const far = `${tid('post-item')}[data-post-id="${S.posts.far}"]`;
      await visible(u, far, 'the 청운효자동 post at range 1');
      const text = (await u.page.locator(`${far} ${tid('post-place')}`).innerText()).trim();
      assert.match(text, /^종로구 청운효자동 · \d+(\.\d)?(km|m)$/, `another neighbourhood's card names the gu and the distance, got "${text}"`);
    });

    step(`${at}: chips are one tab stop with arrow keys, and every chip is a 44 px target`, async () => {
      const u = C.u;
      await u.page.goto('/?range=0');
      await visible(u, tid('post-item'), 'the board');
      assert.equal(await u.page.locator(`${tid('category-chips')}[role="toolbar"]`).count(), 1, 'the chips are a toolbar');
      assert.equal(await u.page.locator(`${tid('category-chips')} [tabindex="0"]`).count(), 1, 'one chip is in the tab order');
      assert.deepEqual(await smallTargets(u, `${tid('category-chips')} button`), [], 'chips smaller than 44×44');
      await u.page.locator(tid('category-all')).focus();
      await u.page.keyboard.press('ArrowRight');
      const active = () => u.page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      assert.equal(await active(), 'category-족발,보쌈', 'ArrowRight moves to the next chip');
      await u.page.keyboard.press('End');
      assert.equal(await active(), 'category-페스트푸드', 'End moves to the last chip');
      await u.page.keyboard.press('Tab');
      assert.equal(await active(), 'range-select', 'Tab leaves the chips for the range');
      assert.match(u.page.url(), /\/\?range=0$/, 'moving between chips picks none');
    });

    step(`${at}: the pager fits one line, steps one page and brings the list into view`, async () => {
      const u = C.u;
      const pager = await visible(u, tid('paginator'), 'the pager');
      const buttons = () =>
        pager.locator('button').evaluateAll((els) =>
          els.filter((el) => getComputedStyle(el).display !== 'none').map((el) => {
            const r = el.getBoundingClientRect();
            return { id: el.getAttribute('data-testid'), top: Math.round(r.top), right: r.right };
          }),
        );
      const check = async (where) => {
        const bs = await buttons();
        assert.equal(new Set(bs.map((b) => b.top)).size, 1, `${where}: the pager should be one line, got tops ${JSON.stringify(bs)}`);
        assert.ok(Math.max(...bs.map((b) => b.right)) <= W, `${where}: the pager should fit ${W} px`);
        assert.deepEqual(await smallTargets(u, `${tid('paginator')} button`), [], `${where}: pager buttons smaller than 44×44`);
      };
      await check('page 1');
      const toPage = async (n, via) => {
        await u.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await press(u, u.page.locator(tid(via)));
        await visible(u, `${tid(`page-${n}`)}[aria-current="page"]`, `page ${n} as the current page`);
        await until(u, async () => {
          const top = (await box(u, '.board-list')).top;
          return top >= 0 && top < H / 3;
        }, `the top of the list in view after ${via}`);
        await until(
          u,
          async () => (await u.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'post-list-heading',
          'focus on the list heading',
        );
        assert.match(u.page.url(), new RegExp(`page=${n}`), `the address says page ${n}`);
      };
      await toPage(2, 'page-next');
      await check('page 2');
      await toPage(3, 'page-next');
      await toPage(2, 'page-prev');
      if (phone) await shot(u, 'board-page-2', S.overflow);
    });

    step(`${at}: an empty board offers the wider range that has posts`, async () => {
      const u = C.u;
      await u.page.goto('/?range=0&category=%ED%94%BC%EC%9E%90'); // 피자: only 청운효자동 has one
      await visible(u, tid('post-list-empty'), 'the empty board');
      const widen = await visible(u, tid('widen-range'), 'the 범위 넓혀서 보기 button');
      assert.match(await u.page.locator(tid('widen-hint')).innerText(), /가까운 동네\(1\.5km\)에는 모집 글이 있어요/);
      if (phone) await shot(u, 'board-empty-widen', S.overflow);
      await press(u, widen);
      await visible(u, `${tid('post-item')}[data-post-id="${S.posts.far}"]`, 'the 청운효자동 post after widening');
      assert.equal(await u.page.locator(tid('range-select')).inputValue(), '1', 'the range select follows');
    });

    step(`${at}: relative times move on without a reload (one shared clock)`, async () => {
      const page = await C.u.context.newPage();
      await page.clock.install();
      await page.goto('/?range=0');
      const age = page.locator(`${tid('post-item')}[data-post-id="${S.posts[vp.name].join}"] ${tid('post-age')}`);
      await age.waitFor();
      const before = minutesAgo(await age.innerText());
      assert.ok(Number.isFinite(before), `a fresh post's age, got "${await age.innerText()}"`);
      await page.clock.fastForward('05:00');
      const u = { ...C.u, page };
      await until(u, async () => minutesAgo(await age.innerText()) >= before + 5, '"N분 전" five minutes later');
      await page.close();
    });

    step(`${at}: the post's action is a sticky bar above the tab bar, and "← 게시판" is 44 px`, async () => {
      const u = C.u;
      await u.page.goto(`/post/${S.posts[vp.name].join}/`);
      await visible(u, tid('join-button'), 'the 참여하기 button');
      assert.equal(await u.page.locator(tid('post-place')).innerText(), SAJIK, 'the detail names the whole place');
      assert.deepEqual(await smallTargets(u, `${tid('back-to-board')}, ${tid('join-button')}`), [], 'small targets on the detail');
      const long = await u.page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight * 1.3);
      assert.ok(long, 'the post should be longer than the screen for this check');
      const limit = phone ? (await box(u, tid('tabbar'))).top : H;
      for (const where of ['top', 'middle']) {
        if (where === 'middle') await u.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 3));
        await until(u, async () => {
          const bar = await box(u, tid('post-action-bar'));
          return bar.top > 0 && Math.abs(bar.bottom - limit) <= 1;
        }, `the action bar resting on ${phone ? 'the tab bar' : 'the bottom edge'} while scrolled to the ${where}`);
      }
      if (phone) await shot(u, 'post-sticky-bar', S.overflow);
    });

    step(`${at}: joining explains itself in a sheet, not a browser dialog`, async () => {
      const u = C.u;
      const dialogs = [];
      const onDialog = (d) => {
        dialogs.push(d.type());
        d.dismiss().catch(() => {});
      };
      u.page.on('dialog', onDialog);
      try {
        await press(u, u.page.locator(tid('join-button')));
        const sheet = await visible(u, tid('join-sheet'), 'the join sheet');
        const text = await sheet.innerText();
        assert.match(text, /참여 인원에 들어가요: 지금 1\/4명 → 2\/4명/, 'the sheet says you are counted');
        assert.match(text, /채팅방에 들어가서/, 'the sheet says you enter the room');
        assert.match(text, /모집 중에는 언제든 채팅방에서 나갈 수 있어요/, 'the sheet says you can leave');
        assert.deepEqual(await smallTargets(u, `${tid('join-sheet')} button`), [], 'small targets in the sheet');
        if (phone) await shot(u, 'join-sheet', S.overflow);
        await press(u, u.page.locator(tid('join-sheet-close')));
        await gone(u, tid('join-sheet'), 'the sheet after 닫기');
        await press(u, u.page.locator(tid('join-button')));
        await press(u, await visible(u, tid('join-confirm'), 'the sheet’s 참여할게요'));
        await path(u, /^\/chat\/\d+\/$/, 'the room after joining');
      } finally {
        u.page.off('dialog', onDialog);
      }
      assert.deepEqual(dialogs, [], 'joining must not open a browser dialog');
    });

    step(`${at}: a join that lost the race says why and shows the post as it is now`, async () => {
      const u = C.u;
      const id = S.posts[vp.name].race;
      await u.page.goto(`/post/${id}/`);
      await visible(u, tid('join-button'), 'the 참여하기 button');
      const joined = await api(S.racer, 'POST', `/api/chat/${S.rooms[id]}/`);
      assert.equal(joined.status, 200, 'another resident takes the last seat');
      await press(u, u.page.locator(tid('join-button')));
      await press(u, await visible(u, tid('join-confirm'), 'the sheet’s 참여할게요'));
      const err = await visible(u, tid('post-action-error'), 'the refusal');
      assert.equal((await err.innerText()).trim(), '모집 인원이 다 찼어요.');
      await until(u, async () => /2\/2명/.test(await u.page.locator(tid('action-bar-info')).innerText()), 'the count refreshed to 2/2');
      await until(u, async () => u.page.locator(tid('join-button')).isDisabled(), 'the join button disabled');
      assert.equal((await u.page.locator(tid('join-button')).innerText()).trim(), '모집이 끝났어요');
      await gone(u, tid('join-sheet'), 'the sheet after the refusal');
    });

    step(`${at}: a banned resident sees the refusal instead of a join button`, async () => {
      const b = await login(vp, 'banned');
      await b.page.goto(`/post/${S.posts.banned}/`);
      const refused = await visible(b, tid('join-refused'), 'the refusal');
      assert.equal((await refused.innerText()).trim(), '이 모집에는 참여할 수 없어요');
      assert.equal(await b.page.locator(tid('join-button')).count(), 0, 'no join button for a banned resident');
      if (phone) await shot(b, 'post-banned', S.overflow);
      await b.context.close();
      S.users = S.users.filter((x) => x !== b);
      await C.u.context.close();
      S.users = S.users.filter((x) => x !== C.u);
    });
  }

  step('no screen was wider than its viewport', async () => {
    assert.deepEqual(S.overflow, [], 'horizontal overflow');
  });
});
