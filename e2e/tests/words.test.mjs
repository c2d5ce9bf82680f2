// End-to-end (issue 14 §5–§6): words, forms and errors, in real headless Chromium
// against the real binary at 360×740, 390×844 (touch) and 1280×800.
//
// - A failed login / sign-up puts the focus on the first invalid field, which has
//   aria-invalid and a red border (computed style), the errors are announced in a
//   live region, and a field's error goes away once it is fixed.
// - The show-password toggle switches the input's type and aria-pressed.
// - The server's 해요체 reaches the screen (a wrong password).
// - A 502 with an nginx HTML body (page.route fakes it for one board load) shows
//   the friendly message and 다시 시도, never the HTML; 다시 시도 loads the board.
// - Category labels: 패스트푸드 on the chip and the card, while the API gets 페스트푸드.
// - Tap targets on login and sign-up (links, buttons, toggles) and the board's chips
//   are at least 44×44 px; no screen is wider than the viewport.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, horizontalOverflow } from '../lib/browser.mjs';
import { tid, visible, gone, until, failureShot, api } from '../lib/helpers.mjs';

binaryPath();

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';
const RED = 'rgb(185, 28, 28)'; // --danger
const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.24.0</center>
</body>
</html>`;

// Until the shared VIEWPORTS has the 360 phone, this file has its own three.
const phone = (w, h) => ({
  name: `phone-${w}x${h}`,
  options: { viewport: { width: w, height: h }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
});
const SIZES = [
  phone(360, 740),
  phone(390, 844),
  { name: 'desktop-1280x800', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];

/** The field's state as a person and a screen reader get it. */
async function fieldState(u, testId) {
  return u.page.locator(tid(testId)).evaluate((el) => ({
    invalid: el.getAttribute('aria-invalid'),
    focused: document.activeElement === el,
    border: getComputedStyle(el).borderTopColor,
    describedBy: (el.getAttribute('aria-describedby') || '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  }));
}

/** Every listed element's box, failing for any smaller than 44×44. */
async function tapTargets(u, selectors, small) {
  for (const sel of selectors) {
    const boxes = await u.page.locator(sel).evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { w: r.width, h: r.height, text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 20) };
      }),
    );
    assert.ok(boxes.length > 0, `${u.vp.name}: nothing matches ${sel}`);
    for (const b of boxes) if (b.w < 44 || b.h < 44) small.push(`${u.vp.name} ${sel} "${b.text}" ${b.w.toFixed(0)}×${b.h.toFixed(0)}`);
  }
}

async function noOverflow(u, where) {
  const o = await horizontalOverflow(u.page);
  assert.equal(o, '', `${u.vp.name} ${where} is wider than the viewport: ${o}`);
}

describe('words, forms and errors (issue 14 §5–§6)', () => {
  const S = {};

  before(async () => {
    S.server = await startServer();
    S.browser = await launch();
    // One resident with one 페스트푸드 post, made through the API.
    const u = await newUser(S.browser, SIZES[2], S.server.base, 'setup');
    await u.page.goto('/');
    const r = await api(u, 'POST', '/api/user/register/', {
      email: 'words@example.com',
      username: '말씨',
      password: PASSWORD,
      password2: PASSWORD,
      address: HOOD,
    });
    assert.equal(r.status, 201, `register: ${r.status} ${JSON.stringify(r.body)}`);
    const p = await api(u, 'POST', '/api/post/write/', {
      title: '버거 세트 같이 시켜요',
      category: '페스트푸드',
      target_number: 3,
      content: '배달비 나눠요',
    });
    assert.equal(p.status, 201, `write: ${p.status} ${JSON.stringify(p.body)}`);
    S.postId = p.body.id;
    await u.context.close();
  });

  after(async () => {
    await S.browser?.close();
    await S.server?.stop();
  });

  for (const vp of SIZES) {
    describe(vp.name, () => {
      const small = [];

      it('login: focus, red border, live errors that clear when fixed, show-password, 해요체', async () => {
        const u = await newUser(S.browser, vp, S.server.base, 'visitor');
        const p = u.page;
        try {
          await p.goto('/login/');
          await visible(u, tid('login-submit'), 'the login form');
          await press(u, p.locator(tid('login-submit')));
          await visible(u, tid('error-email'), 'the e-mail error');
          await until(u, async () => (await fieldState(u, 'login-email')).focused, 'the focus on the e-mail field');
          let email = await fieldState(u, 'login-email');
          assert.equal(email.invalid, 'true');
          assert.equal(email.border, RED, `${vp.name}: the invalid e-mail field's border`);
          assert.match(email.describedBy, /이메일을 입력해 주세요/);
          const pw = await fieldState(u, 'login-password');
          assert.equal(pw.invalid, 'true');
          assert.equal(pw.border, RED);
          const live = await p.locator(tid('form-announcement')).evaluate((el) => ({
            text: el.textContent,
            role: el.getAttribute('role'),
            live: el.getAttribute('aria-live'),
          }));
          assert.equal(live.role, 'status');
          assert.equal(live.live, 'polite');
          assert.match(live.text, /입력한 내용을 확인해 주세요.*이메일을 입력해 주세요.*비밀번호를 입력해 주세요/);
          await noOverflow(u, 'login with errors');
          if (vp.name === 'phone-360x740') await shot(u, 'login-errors');

          // Fixing the e-mail clears its error, and only its error.
          await p.locator(tid('login-email')).fill('words@example.com');
          await gone(u, tid('error-email'), 'the e-mail error once fixed');
          email = await fieldState(u, 'login-email');
          assert.equal(email.invalid, null);
          assert.notEqual(email.border, RED);
          assert.equal((await fieldState(u, 'login-password')).invalid, 'true');

          // Show-password toggles the type (and says so with aria-pressed).
          const input = p.locator(tid('login-password'));
          const toggle = p.locator(tid('login-password-reveal'));
          await input.fill('wrong-password-1');
          assert.equal(await input.getAttribute('type'), 'password');
          assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
          await press(u, toggle);
          assert.equal(await input.getAttribute('type'), 'text');
          assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
          assert.equal(await input.inputValue(), 'wrong-password-1');
          await press(u, toggle);
          assert.equal(await input.getAttribute('type'), 'password');
          await gone(u, tid('error-password'), 'the password error once typed');

          // The server's refusal, in 해요체.
          await press(u, p.locator(tid('login-submit')));
          const err = await visible(u, tid('form-errors'), 'the wrong-password error');
          assert.equal((await err.innerText()).trim(), '이메일 또는 비밀번호가 올바르지 않아요.');

          await tapTargets(u, ['a.tap-link', tid('login-submit'), tid('login-password-reveal')], small);
        } catch (e) {
          await failureShot(u, 'login');
          throw e;
        } finally {
          await u.context.close();
        }
      });

      it('sign-up: focus on the first invalid field, errors clear when fixed, targets', async () => {
        const u = await newUser(S.browser, vp, S.server.base, 'newcomer');
        const p = u.page;
        try {
          await p.goto('/register/');
          await visible(u, tid('register-submit'), 'the sign-up form');
          await press(u, p.locator(tid('register-submit')));
          await visible(u, tid('error-email'), 'the e-mail error');
          await until(u, async () => (await fieldState(u, 'register-email')).focused, 'the focus on the e-mail field');
          for (const f of ['register-email', 'register-username', 'register-password', 'register-password2']) {
            const s = await fieldState(u, f);
            assert.equal(s.invalid, 'true', `${f} aria-invalid`);
            assert.equal(s.border, RED, `${vp.name}: ${f} border`);
          }
          await noOverflow(u, 'sign-up with errors');
          if (vp.name === 'phone-360x740') await shot(u, 'signup-errors');

          // A second failed submit moves the focus to the first field still wrong.
          await p.locator(tid('register-email')).fill('new@example.com');
          await gone(u, tid('error-email'), 'the e-mail error once fixed');
          await p.locator(tid('register-password')).fill('short');
          await until(u, async () => (await p.locator(tid('error-password')).innerText()).includes('8자'), 'the length error');
          await press(u, p.locator(tid('register-submit')));
          await until(u, async () => (await fieldState(u, 'register-username')).focused, 'the focus on the nickname field');
          assert.equal((await fieldState(u, 'register-email')).invalid, null);

          const input = p.locator(tid('register-password'));
          await press(u, p.locator(tid('register-password-reveal')));
          assert.equal(await input.getAttribute('type'), 'text');

          await tapTargets(
            u,
            ['a.tap-link', tid('register-submit'), tid('register-password-reveal'), tid('register-password2-reveal')],
            small,
          );
        } catch (e) {
          await failureShot(u, 'sign-up');
          throw e;
        } finally {
          await u.context.close();
        }
      });

      it('a 502 HTML page shows the friendly message and 다시 시도; categories read 패스트푸드', async () => {
        const u = await newUser(S.browser, vp, S.server.base, 'resident');
        const p = u.page;
        try {
          await p.goto('/login/');
          const r = await api(u, 'POST', '/api/user/login/', { email: 'words@example.com', password: PASSWORD });
          assert.equal(r.status, 200, `login: ${r.status}`);
          let faked = 0;
          await p.route(
            (url) => url.pathname === '/api/post/',
            async (route) => {
              if (faked++ === 0) await route.fulfill({ status: 502, contentType: 'text/html', body: NGINX_502 });
              else await route.continue();
            },
          );
          await p.goto('/');
          const panel = await visible(u, tid('error-panel'), 'the error panel for the 502');
          const text = await panel.innerText();
          assert.match(text, /지금 서버에 연결할 수 없어요\. 잠시 후 다시 시도해 주세요\./);
          const html = await p.content();
          const body = await p.locator('body').innerText();
          for (const bad of ['<html', 'Bad Gateway', 'nginx']) {
            assert.ok(!body.includes(bad), `${vp.name}: the page shows "${bad}"`);
          }
          assert.ok(!html.includes('nginx/1.24.0'), 'the proxy page is nowhere in the DOM');
          const retry = p.locator(`${tid('error-panel')} button`, { hasText: '다시 시도' });
          await noOverflow(u, 'error panel');
          if (vp.name === 'phone-360x740') await shot(u, 'error-panel');
          await tapTargets(u, [`${tid('error-panel')} button`, `${tid('error-panel')} a`], small);
          await press(u, retry);
          await gone(u, tid('error-panel'), 'the error panel after 다시 시도');
          const card = await visible(u, `${tid('post-item')}[data-post-id="${S.postId}"]`, 'the post after the retry');
          assert.equal(faked, 2, 'the retry loaded the board again');

          // Category labels on the card and the chip; the API keeps its value.
          const cardText = await card.innerText();
          assert.ok(cardText.includes('패스트푸드'), `${vp.name}: the card shows ${cardText}`);
          assert.ok(!cardText.includes('페스트푸드'), `${vp.name}: the card shows the API value: ${cardText}`);
          const chip = p.locator(tid('category-페스트푸드'));
          assert.equal((await chip.innerText()).trim(), '패스트푸드');
          assert.equal((await p.locator(tid('category-족발,보쌈')).innerText()).trim(), '족발·보쌈');
          await tapTargets(u, ['[data-testid^="category-"]'], small);
          await press(u, chip);
          await until(u, () => decodeURIComponent(p.url()).includes('category=페스트푸드'), 'the filter in the URL');
          await until(
            u,
            async () => {
              await Promise.all(u.mon.pending);
              return u.mon.apiRequests.some((q) => q.url.startsWith('/api/post/') && decodeURIComponent(q.url).includes('category=페스트푸드'));
            },
            'a board request with the API value',
          );
          await noOverflow(u, 'board');
        } catch (e) {
          await failureShot(u, 'error-panel');
          throw e;
        } finally {
          await u.context.close();
        }
      });

      it('every measured tap target is at least 44×44 px', () => {
        assert.deepEqual(small, []);
      });
    });
  }
});
