// End-to-end (issue 14 §1, and the chat parts of §5/§6): the chat room on phones
// and desktops, in real headless Chromium against the real binary, at 360×740,
// 390×844 (touch) and 1280×800.
//
// Per viewport A writes a group order with a title of the longest allowed length
// (30 characters: the server refuses longer ones), B joins, both open the room.
// A sends a run of short messages, a 300-character unbroken word, a long URL and
// text that looks like HTML. On B's screen:
// - nothing is wider than the viewport (page and chat log), bubbles stay inside;
// - the name shows once per run, the time only on the last bubble of a minute
//   (data-show-name / data-show-time, checked against each message's time);
// - date separators in Korean with the weekday (the history's first message is
//   moved to an earlier day by rewriting that one GET answer: the server stamps
//   messages with the real time);
// - URLs are links with target=_blank and rel="noopener noreferrer", HTML stays text;
// - phones: one bar at the top (no site header, no tab bar; ← goes to the list);
// - the composer: enterkeyhint=send, Enter is a newline on touch and sends on
//   desktop, grows to five lines then scrolls, the counter only near the limit;
// - the 새 메시지 ↓ pill when A writes while B is scrolled up, tapping it scrolls down;
// - the log: role="log" on a wrapper of the <ol>, a focusable labelled scroll area;
// - a dead socket: B's socket is routed (context.routeWebSocket) and starts
//   swallowing frames: 연결 끊김, 전송 실패 and 다시 보내기 appear; once frames flow
//   again the room reconnects by itself and 다시 보내기 delivers exactly once;
//   when only the answers were lost (the server stored the send) the catch-up
//   after the reconnect shows the message once and drops the failed copy;
// - context.setOffline(true) shows 연결 끊김 at once, and back online it reconnects.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newUser, press, horizontalOverflow, SHOTS } from '../lib/browser.mjs';
import { tid, visible, gone, until, failureShot, api } from '../lib/helpers.mjs';

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';

const phone = (width, height) => ({
  name: `phone-${width}x${height}`,
  options: { viewport: { width, height }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
});
const ROOM_VIEWPORTS = [
  phone(360, 740),
  phone(390, 844),
  { name: 'desktop-1280x800', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];

binaryPath();

// One server and one browser for the whole file; each viewport has its own residents.
const G = { server: null, browser: null, failed: false, residents: new Map() };
const RUN = Math.random().toString(36).slice(2, 7);
before(async () => {
  G.server = await startServer();
  G.browser = await launch();
});
after(async () => {
  await G.browser?.close().catch(() => {});
  if (G.failed && G.server) console.error(`--- server log ---\n${G.server.log()}`);
  await G.server?.stop();
});

/**
 * A resident's browser at vp. Each name registers once (password hashing is
 * slow on a busy machine); later viewports reuse that session's cookies.
 */
async function resident(vp, label, name) {
  const u = await newUser(G.browser, vp, G.server.base, label);
  const known = G.residents.get(name);
  if (known) {
    await u.context.addCookies(known.cookies);
    u.id = known.id;
    u.name = name;
    await u.page.goto('/');
    return u;
  }
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
  G.residents.set(name, { id: u.id, cookies: await u.context.cookies() });
  return u;
}

const open = (u) => visible(u, `${tid('connection-state')}[data-state="open"]`, `${u.label}'s room socket to be open`);

/** Send through the composer's button and wait for the stored echo. */
async function sendMessage(u, text) {
  const p = u.page;
  await p.locator(tid('message-input')).fill(text);
  await press(u, p.locator(tid('send-button')));
  await until(
    u,
    async () =>
      (await p.locator(`${tid('chat-message')}[data-pending="false"]`).evaluateAll(
        (els, t) => els.some((e) => e.querySelector('.bubble')?.textContent === t),
        text,
      )),
    `the echo of "${text.slice(0, 20)}…"`,
  );
}

/** The messages of B's log as the page shows them. */
function logRows(u) {
  return u.page.locator(tid('chat-message')).evaluateAll((els) =>
    els.map((e) => ({
      user: e.getAttribute('data-user-id'),
      pending: e.getAttribute('data-pending'),
      name: e.getAttribute('data-show-name'),
      time: e.getAttribute('data-show-time'),
      at: e.querySelector('time')?.getAttribute('datetime') ?? null,
      text: e.querySelector('.bubble')?.textContent ?? e.textContent,
      hasName: !!e.querySelector('.msg-user'),
      hasVisibleTime: !!e.querySelector('time:not(.sr-only)'),
    })),
  );
}

/**
 * e2e/screenshots/<viewport>-<name>.png of the screen as the resident sees it.
 * Not shot()'s full-page capture: the room is exactly one dynamic viewport
 * tall (100dvh), and Chromium's full-page capture grows that viewport, which
 * pictures a room nobody sees.
 */
async function roomShot(u, name) {
  mkdirSync(SHOTS, { recursive: true });
  await u.page.evaluate(async () => {
    await (document.fonts && document.fonts.ready);
    document.activeElement instanceof HTMLElement && document.activeElement.blur();
  });
  if (u.vp.options.hasTouch) await u.page.waitForTimeout(400); // the tap highlight fades (cosmetic only)
  await u.page.screenshot({ path: join(SHOTS, `${u.vp.name}-${name}.png`) });
}

const kstMinute = (iso) => Math.floor((Date.parse(iso) + 9 * 3600e3) / 60e3);
const kstDateLabel = (iso) =>
  new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' }).format(
    new Date(iso),
  );

async function size(loc) {
  const b = await loc.boundingBox();
  assert.ok(b, 'element has a box');
  return b;
}

for (const vp of ROOM_VIEWPORTS) {
  const touch = !!vp.options.hasTouch;
  describe(`the chat room (issue 14 §1) at ${vp.name}`, () => {
    const S = { users: [], failed: null };
    function step(title, fn) {
      it(title, async (t) => {
        if (S.failed) return t.skip(`an earlier step failed: ${S.failed}`);
        try {
          await fn(t);
        } catch (e) {
          S.failed = title;
          G.failed = true;
          for (const u of S.users) await failureShot(u, title);
          throw e;
        }
      });
    }
    after(async () => {
      for (const u of S.users) await u.context.close().catch(() => {});
    });

    const run = Math.random().toString(36).slice(2, 7);
    const title = `사직동 주민센터 앞에서 같이 받는 교촌 허니콤보 반반 ${run}`.slice(0, 30);
    const longWord = '가'.repeat(150) + 'a'.repeat(150);
    const longUrl = `https://example.com/${'menu-'.repeat(30)}?q=${run}`;
    const htmlish = `<b>굵게</b> <img src=x onerror=alert(1)> javascript:alert(1) ${run}`;
    let A, B, roomId;
    // B's room socket goes through this route: `swallow` drops the server's
    // frames, `swallowUp` B's.
    const wsRoute = { swallow: false, swallowUp: false, sockets: 0 };

    step('A writes a group order with a 30-character title, B joins', async () => {
      A = await resident(vp, 'A', `a${RUN}`);
      B = await resident(vp, 'B', `b${RUN}`);
      S.users.push(A, B);
      const orderAt = new Date(Date.now() + 60 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const r = await api(A, 'POST', '/api/post/write/', {
        title,
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
      roomId = r.body.chat_id;
      const j = await api(B, 'POST', `/api/chat/${roomId}/`);
      assert.equal(j.status, 200, `join: ${j.status} ${JSON.stringify(j.body)}`);

      await B.context.routeWebSocket(/\/ws\/chat\//, (ws) => {
        wsRoute.sockets++;
        const server = ws.connectToServer();
        ws.onMessage((m) => {
          if (!wsRoute.swallowUp) server.send(m);
        });
        server.onMessage((m) => {
          if (!wsRoute.swallow) ws.send(m);
        });
      });
    });

    step('A sends a run of messages, a 300-character word, a long URL and HTML-looking text', async () => {
      const doc = await A.page.goto(`/chat/${roomId}/`);
      // Issue 14: the room's HTML names the room's chunk (from the build's
      // route-chunks.json), so it loads beside the main bundle.
      const html = await doc.text();
      const hrefs = [...html.matchAll(/<link rel="modulepreload" crossorigin href="(\/assets\/Chat-[^"]+\.js)">/g)].map((m) => m[1]);
      assert.equal(hrefs.length, 1, `no preload of the room's chunk in ${html}`);
      assert.ok(html.indexOf(hrefs[0]) < html.indexOf('</head>'), 'the preload is not in <head>');
      const chunk = await A.page.request.get(new URL(hrefs[0], A.page.url()).href);
      assert.equal(chunk.status(), 200, `${hrefs[0]}: ${chunk.status()}`);
      assert.match(chunk.headers()['content-type'] ?? '', /javascript/);
      await open(A);
      for (const m of ['안녕하세요', '치킨 반반 어때요?', '7시에 시켜요']) await sendMessage(A, m);
      await sendMessage(A, longWord);
      await sendMessage(A, `메뉴는 여기요: ${longUrl}.`);
      await sendMessage(A, htmlish);
    });

    step("B's room: nothing wider than the screen; runs, times and date separators", async () => {
      // The server stamps messages with the real time: move the history's
      // first message (the join notice) to two days ago in this one answer.
      const earlier = new Date(Date.now() - 2 * 86400e3).toISOString();
      const history = `**/api/chat/${roomId}/`;
      await B.page.route(history, async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        body.messages[0].created_at = earlier;
        await route.fulfill({ response: res, json: body });
      });
      await B.page.goto(`/chat/${roomId}/`);
      await open(B);
      await B.page.unroute(history);

      const o = await horizontalOverflow(B.page);
      assert.equal(o, '', `the room is wider than the viewport: ${o}`);
      const box = await B.page.evaluate(() => {
        const log = document.querySelector('[data-testid="chat-scroll"]');
        const lr = log.getBoundingClientRect();
        const vw = document.documentElement.clientWidth;
        const beyond = (sel, right) =>
          [...document.querySelectorAll(sel)]
            .map((e) => ({ cls: e.className, r: e.getBoundingClientRect() }))
            .filter(({ r }) => r.width > 0 && (r.right > right + 1 || r.left < -1))
            .map(({ cls, r }) => `${cls} ${Math.round(r.left)}..${Math.round(r.right)}`);
        const out = [
          ...beyond('.bubble, .msg-meta', Math.min(vw, lr.right)),
          ...beyond('[data-testid="chat-head"] > *, .composer > *', vw),
        ];
        return {
          vw,
          sw: document.documentElement.scrollWidth,
          logSW: log.scrollWidth,
          logCW: log.clientWidth,
          out,
        };
      });
      assert.ok(box.sw <= box.vw, `page scrollWidth ${box.sw} > viewport ${box.vw}`);
      assert.ok(box.logSW <= box.logCW, `the chat log scrolls sideways: ${box.logSW} > ${box.logCW}`);
      assert.deepEqual(box.out, [], 'elements beyond the right edge of the log or screen');

      const rows = (await logRows(B)).filter((r) => r.pending === 'false');
      const fromA = rows.filter((r) => r.user === String(A.id));
      assert.ok(fromA.length >= 6, `A's six messages on B's screen: ${JSON.stringify(rows.map((r) => r.text.slice(0, 10)))}`);
      // The name once per run: every row after the first of A's consecutive
      // messages (within minutes of each other) has no name.
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const prev = rows[i - 1];
        const next = rows[i + 1];
        if (r.user === null) {
          assert.equal(r.hasName, false, 'system messages have no name');
          continue;
        }
        const continues = prev && prev.user === r.user && Date.parse(r.at) - Date.parse(prev.at) <= 5 * 60e3 && kstDateLabel(prev.at) === kstDateLabel(r.at);
        assert.equal(r.name, continues ? 'false' : 'true', `row ${i} (${r.text.slice(0, 12)}) name flag`);
        assert.equal(r.hasName, r.name === 'true', `row ${i} shows the name iff flagged`);
        const lastOfMinute =
          !next || next.user !== r.user || kstMinute(next.at) !== kstMinute(r.at) || Date.parse(next.at) - Date.parse(r.at) > 5 * 60e3;
        assert.equal(r.time, lastOfMinute ? 'true' : 'false', `row ${i} (${r.text.slice(0, 12)}) time flag`);
        assert.equal(r.hasVisibleTime, r.time === 'true', `row ${i} shows the time iff flagged`);
      }
      const firstOfA = rows.findIndex((r) => r.user === String(A.id));
      assert.equal(rows[firstOfA].name, 'true', "the first of A's run names A");
      assert.equal(rows[firstOfA + 1].name, 'false', "the second of A's run does not");

      const seps = await B.page.locator(tid('date-separator')).allInnerTexts();
      assert.deepEqual(
        seps.map((s) => s.trim()),
        [kstDateLabel(earlier), kstDateLabel(new Date().toISOString())],
        'one separator per day, in Korean with the weekday',
      );
      assert.match(seps[0], /^\d{4}년 \d{1,2}월 \d{1,2}일 [월화수목금토일]요일$/);
    });

    step('URLs are links that open safely; HTML stays text', async () => {
      const link = B.page.locator(tid('message-link')).filter({ hasText: 'https://example.com/' });
      assert.equal(await link.count(), 1, 'one link for the URL message');
      assert.equal(await link.getAttribute('href'), longUrl, 'the link goes to the URL (the sentence\'s full stop left out)');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      const bubble = B.page.locator('.bubble', { hasText: run }).filter({ hasText: '굵게' });
      assert.equal(await bubble.innerText(), htmlish, 'the HTML-looking message reads as typed');
      assert.equal(await bubble.locator('b, img, a').count(), 0, 'no element was made from the text');
    });

    step('the log keeps list semantics and its scroll area is reachable by keyboard', async () => {
      const a11y = await B.page.evaluate(() => {
        const log = document.querySelector('[role="log"]');
        const scroll = document.querySelector('[data-testid="chat-scroll"]');
        const ol = document.querySelector('[data-testid="message-list"]');
        return {
          logTag: log?.tagName,
          live: log?.getAttribute('aria-live'),
          olInLog: !!log?.contains(ol),
          olRole: ol?.getAttribute('role'),
          olTag: ol?.tagName,
          scrollTab: scroll?.getAttribute('tabindex'),
          scrollLabel: scroll?.getAttribute('aria-label'),
        };
      });
      assert.deepEqual(a11y, {
        logTag: 'DIV',
        live: 'polite',
        olInLog: true,
        olRole: null,
        olTag: 'OL',
        scrollTab: '0',
        scrollLabel: '채팅 메시지',
      });
    });

    step(touch ? 'phones: the room header is the only bar at the top; ← goes to the chat list' : 'desktop: the site header stays above the room', async () => {
      const head = await size(B.page.locator(tid('chat-head')));
      const back = await size(B.page.locator(tid('chat-back')));
      assert.ok(back.width >= 44 && back.height >= 44, `← is ${back.width}×${back.height}`);
      if (await B.page.locator(tid('members-toggle')).isVisible()) {
        // (wide screens show the member panel beside the log instead)
        const members = await size(B.page.locator(tid('members-toggle')));
        assert.ok(members.width >= 44 && members.height >= 44, `참여자 is ${members.width}×${members.height}`);
      }
      const input = await size(B.page.locator(tid('message-input')));
      const vh = vp.options.viewport.height;
      assert.ok(input.y + input.height <= vh, `the composer is on screen (${input.y + input.height} ≤ ${vh})`);
      if (touch) {
        assert.equal(await B.page.locator('header.topbar').isVisible(), false, 'no site header in a room on phones');
        assert.equal(await B.page.locator(tid('tabbar')).isVisible(), false, 'no tab bar in a room on phones');
        assert.ok(head.y <= 1, `the room header is at the top (y = ${head.y})`);
        assert.equal(await B.page.locator(tid('chat-back')).getAttribute('href'), '/chats/');
      } else {
        assert.equal(await B.page.locator('header.topbar').isVisible(), true, 'the site header on desktops');
      }
      if (vp.name === 'phone-360x740') await roomShot(B, 'chat-room-long');
    });

    step(touch ? 'the composer: Enter is a newline on touch, the button sends' : 'the composer: Enter sends, Shift+Enter is a newline', async () => {
      const input = B.page.locator(tid('message-input'));
      assert.equal(await input.getAttribute('enterkeyhint'), 'send');
      const before = (await logRows(B)).length;
      await input.fill('');
      await input.focus();
      await B.page.keyboard.type('엔터 시험');
      if (touch) {
        await B.page.keyboard.press('Enter');
        assert.equal(await input.inputValue(), '엔터 시험\n', 'Enter inserted a newline');
        assert.equal((await logRows(B)).length, before, 'Enter sent nothing');
        await B.page.keyboard.type(run);
        await press(B, B.page.locator(tid('send-button')));
      } else {
        await B.page.keyboard.press('Shift+Enter');
        await B.page.keyboard.type(run);
        assert.equal(await input.inputValue(), `엔터 시험\n${run}`, 'Shift+Enter inserted a newline');
        await B.page.keyboard.press('Enter');
      }
      await until(B, async () => (await input.inputValue()) === '', 'the composer to empty after sending');
      await until(
        B,
        async () => (await logRows(B)).some((r) => r.pending === 'false' && r.text === `엔터 시험\n${run}`),
        'the two-line message to be stored',
      );
    });

    step('the composer grows to five lines then scrolls; the counter shows only near the limit', async () => {
      const input = B.page.locator(tid('message-input'));
      const h = async () => (await size(input)).height;
      await input.fill('한 줄');
      const one = await h();
      await input.fill('1\n2\n3');
      const three = await h();
      await input.fill('1\n2\n3\n4\n5');
      const five = await h();
      await input.fill('1\n2\n3\n4\n5\n6\n7\n8\n9');
      const nine = await h();
      assert.ok(one < three && three < five, `grows with lines: ${one} < ${three} < ${five}`);
      assert.ok(Math.abs(nine - five) <= 2, `stops at five lines: ${nine} vs ${five}`);
      const scrolls = await input.evaluate((el) => el.scrollHeight > el.clientHeight && getComputedStyle(el).overflowY === 'auto');
      assert.ok(scrolls, 'nine lines scroll inside the box');
      assert.equal(await B.page.locator(tid('message-counter')).count(), 0, 'no counter for short text');
      await input.fill('가'.repeat(250));
      assert.equal((await B.page.locator(tid('message-counter')).innerText()).trim(), '250/300');
      await input.fill('');
      assert.equal(await B.page.locator(tid('message-counter')).count(), 0, 'the counter goes away again');
    });

    step('a message while B is scrolled up shows 새 메시지 ↓; tapping it scrolls down', async () => {
      // Enough lines to scroll at every size.
      const lines = Array.from({ length: 14 }, (_, i) => `줄 ${i + 1}`).join('\n');
      for (let i = 0; i < 3; i++) await sendMessage(A, `${lines}\n${i}`);
      const scroll = B.page.locator(tid('chat-scroll'));
      await until(B, () => scroll.evaluate((el) => el.scrollHeight > el.clientHeight + 200), 'the log to be taller than its box');
      assert.equal(await B.page.locator(tid('new-message-pill')).count(), 0, 'no pill while following the log');
      await scroll.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      await sendMessage(A, `위로 올린 동안 ${run}`);
      const pill = await visible(B, tid('new-message-pill'), 'the 새 메시지 ↓ pill');
      assert.equal((await pill.innerText()).trim(), '새 메시지 ↓');
      const pb = await size(pill);
      assert.ok(pb.height >= 44, `the pill is ${pb.height} px tall`);
      assert.ok(await scroll.evaluate((el) => el.scrollTop < 50), 'B stayed where B was reading');
      if (vp.name === 'phone-360x740') await roomShot(B, 'chat-new-message-pill');
      await press(B, pill);
      await gone(B, tid('new-message-pill'), 'the pill after tapping it');
      await until(B, () => scroll.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 80), 'the log scrolled to the newest message');
    });

    step('a socket that swallows frames: 연결 끊김, 전송 실패, then 다시 보내기 delivers exactly once', async () => {
      await open(B);
      // Sockets opened so far: the swallowed one must be replaced by a new one.
      // (Counted here, not when the swallowing ends: a reconnect may already be
      // under way then and become the socket that comes back.)
      const socketsBefore = wsRoute.sockets;
      wsRoute.swallow = wsRoute.swallowUp = true; // nothing passes either way
      const text = `삼킨 소켓 ${run}`;
      await B.page.locator(tid('message-input')).fill(text);
      await press(B, B.page.locator(tid('send-button')));
      await visible(B, `${tid('chat-message')}[data-status="failed"]`, 'the message marked 전송 실패');
      assert.equal((await B.page.locator(tid('send-failed')).innerText()).trim(), '전송 실패');
      await visible(B, `${tid('connection-state')}[data-state="down"]`, '연결 끊김');
      assert.equal((await B.page.locator(tid('connection-state')).innerText()).trim(), '연결 끊김');
      await visible(B, tid('reconnect-now'), 'the 지금 다시 연결 button');
      assert.equal((await B.page.locator(tid('reconnect-now')).innerText()).trim(), '지금 다시 연결');
      for (const id of ['resend-button', 'discard-button', 'reconnect-now']) {
        const b = await size(B.page.locator(tid(id)));
        assert.ok(b.width >= 44 && b.height >= 44, `${id} is ${b.width}×${b.height}`);
      }
      await until(
        B,
        () =>
          B.page.locator(`${tid('chat-message')}[data-status="failed"]`).evaluate((el) => {
            const r = el.getBoundingClientRect();
            const l = document.querySelector('[data-testid="chat-scroll"]').getBoundingClientRect();
            return r.top >= l.top - 1 && r.bottom <= l.bottom + 1;
          }),
        'the failed message (and its 다시 보내기) in view, although the 연결 끊김 bar took room above the log',
      );
      if (vp.name === 'phone-360x740') await roomShot(B, 'chat-send-failed');
      assert.equal((await logRows(A)).filter((r) => r.text === text).length, 0, 'the server never got it');

      wsRoute.swallow = wsRoute.swallowUp = false;
      await open(B); // it reconnects by itself
      assert.ok(wsRoute.sockets > socketsBefore, 'a new socket was opened');
      assert.equal(await B.page.locator(tid('resend-button')).count(), 1, '다시 보내기 is still offered');
      await press(B, B.page.locator(tid('resend-button')));
      await until(
        B,
        async () => {
          const rows = (await logRows(B)).filter((r) => r.text === text);
          return rows.length === 1 && rows[0].pending === 'false';
        },
        'the resent message to be stored, once',
      );
      await until(A, async () => (await logRows(A)).filter((r) => r.text === text).length === 1, 'A to see it once');
      const h = await api(B, 'GET', `/api/chat/${roomId}/`);
      assert.equal(h.body.messages.filter((m) => m.message === text).length, 1, 'the history holds the message once');
    });

    step('an echo lost after the store: 전송 실패, then once back the message shows once (no duplicate)', async () => {
      await open(B);
      // The server gets B's frames but its answers are lost, and so are the
      // catch-up GETs: B cannot know the message was stored.
      wsRoute.swallow = true;
      const catchUp = (url) => url.pathname === `/api/chat/${roomId}/` && url.searchParams.has('after');
      await B.page.route(catchUp, (route) => route.abort());
      const text = `저장된 뒤 끊김 ${run}`;
      await B.page.locator(tid('message-input')).fill(text);
      await press(B, B.page.locator(tid('send-button')));
      await visible(B, `${tid('chat-message')}[data-status="failed"]`, 'the message marked 전송 실패');
      await until(A, async () => (await logRows(A)).filter((r) => r.text === text).length === 1, 'A to see the stored message');

      wsRoute.swallow = false;
      await B.page.unroute(catchUp);
      await open(B);
      await until(
        B,
        async () => {
          const rows = (await logRows(B)).filter((r) => r.text === text);
          return rows.length === 1 && rows[0].pending === 'false';
        },
        'the stored message once, the failed copy gone',
      );
      const h = await api(B, 'GET', `/api/chat/${roomId}/`);
      assert.equal(h.body.messages.filter((m) => m.message === text).length, 1, 'the history holds the message once');
      assert.equal((await logRows(A)).filter((r) => r.text === text).length, 1, 'A sees it once');
    });

    step('offline shows 연결 끊김 at once; back online the room reconnects', async () => {
      await open(B);
      await B.context.setOffline(true);
      await visible(B, `${tid('connection-state')}[data-state="down"]`, '연결 끊김 when offline');
      await B.context.setOffline(false);
      await open(B);
      await sendMessage(B, `다시 온라인 ${run}`);
    });
  });
}
