// End-to-end (issue 14 §4): sign-up and neighbourhoods, and the shared post link,
// at 360×740 and 390×844 (touch) and 1280×800, against the real binary.
//
// A writer (역삼1동) has a group-order post. For each viewport a visitor opens the
// post's link signed out: the page says what it is (title, dong, store, time left)
// and nothing of the content; 회원가입 keeps next=/post/<id>/. On the sign-up form
// "역삼동" lists 역삼1동 and 역삼2동; the location button fills the field and its
// "현재 위치: …" line goes as soon as the field is typed in, and the search then
// lists the nearest dongs first; a typed full address ("강남구 역삼동 123-4") is
// answered with "혹시 이 동네인가요?" choices and tapping one signs up and lands
// on the post. There the share button copies the link (no Web Share API in the
// context; clipboard permissions granted) and, where the page has
// navigator.share, hands the link to it. A fresh context logs in from the shared
// page and lands on the post too. The Open Graph tags are read from the raw HTML.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, horizontalOverflow, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, gone, path, until, failureShot } from '../lib/helpers.mjs';

binaryPath();

const PASSWORD = 'e2e-pass-1234';
const WRITER_HOOD = '서울특별시 강남구 역삼1동';
const SECRET = '비밀 내용: 3층 현관에서 만나요';
// 역삼역, in 역삼1동.
const HERE = { latitude: 37.5006, longitude: 127.0364 };

const phone = VIEWPORTS.find((v) => v.name === 'phone-390x844');
const desktop = VIEWPORTS.find((v) => v.name === 'desktop-1280x800');
const VPS = [
  { name: 'phone-360x740', options: { ...phone.options, viewport: { width: 360, height: 740 } } },
  phone,
  desktop,
];

async function json(base, method, url, { body, token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The order time an hour from now, in KST as the web app sends it. */
function inAnHour() {
  const t = new Date(Date.now() + 3600_000 + 9 * 3600_000);
  return t.toISOString().replace(/\.\d+Z$/, '+09:00');
}

/** Every visible element matching selector is at least 44×44 px. */
async function tapTargets(u, selector) {
  return u.page.evaluate((sel) => {
    const small = [];
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.width < 44 || r.height < 44) small.push(`${el.textContent.trim()} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return small;
  }, selector);
}

describe('sign-up, neighbourhoods and the shared post link (issue 14 §4)', () => {
  const S = {};
  before(async () => {
    S.server = await startServer();
    S.browser = await launch();
    const base = S.server.base;
    const w = await json(base, 'POST', '/api/user/register/', {
      body: { email: 'writer@example.com', username: '역삼작성자', password: PASSWORD, password2: PASSWORD, address: WRITER_HOOD },
    });
    assert.equal(w.status, 201, `writer register: ${JSON.stringify(w.body)}`);
    const p = await json(base, 'POST', '/api/post/write/', {
      token: w.body.user.token,
      body: {
        title: '교촌 같이 시켜요',
        category: '치킨',
        target_number: 4,
        content: SECRET,
        store_name: '교촌치킨 역삼점',
        delivery_fee: 3000,
        min_order: 20000,
        order_at: inAnHour(),
        pickup_spot: '역삼역 3번 출구',
      },
    });
    assert.equal(p.status, 201, `write: ${JSON.stringify(p.body)}`);
    S.postId = p.body.id;
    S.postPath = `/post/${S.postId}/`;
  });
  after(async () => {
    await S.browser?.close();
    await S.server?.stop();
  });

  it('serves Open Graph tags in the raw HTML of a post link, escaped', async () => {
    const res = await fetch(S.server.base + S.postPath);
    const html = await res.text();
    assert.equal(res.status, 200);
    for (const tag of [
      '<meta property="og:title" content="교촌 같이 시켜요" />',
      '<meta property="og:description" content="역삼1동 · 교촌치킨 역삼점 · 모집 중" />',
      '<meta property="og:type" content="website" />',
      '<meta property="og:site_name" content="밀버디" />',
      `<meta property="og:url" content="${S.server.base}${S.postPath}" />`,
      '<meta name="twitter:card" content="summary" />',
    ])
      assert.ok(html.includes(tag), `raw HTML lacks ${tag}`);
    assert.ok(html.indexOf('og:title') < html.indexOf('</head>'), 'the tags are in <head>');
    assert.ok(!html.includes(SECRET), 'the raw HTML holds the content');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self';/);
    const plain = await (await fetch(S.server.base + '/')).text();
    assert.ok(!plain.includes('og:title'), 'the landing page has no post tags');
  });

  for (const vp of VPS) {
    it(`at ${vp.name}: shared link → sign-up with 법정동 search and suggestions → the post; share copies the link; login returns to the post`, async () => {
      const base = S.server.base;
      const n = vp.name.replace(/\W/g, '');
      const email = `visitor-${n}@example.com`;
      const overflow = [];
      const u = await newUser(S.browser, vp, base, `visitor ${vp.name}`);
      await u.context.grantPermissions(['geolocation', 'clipboard-read', 'clipboard-write'], { origin: base });
      await u.context.setGeolocation(HERE);
      // No Web Share API here: the button must fall back to the clipboard.
      await u.context.addInitScript(() => {
        delete Navigator.prototype.share;
      });
      let step = 'shared page';
      try {
        // 1. The shared link, signed out.
        await u.page.goto(S.postPath);
        await visible(u, tid('shared-post'), 'the shared post page');
        assert.equal((await u.page.locator(tid('shared-title')).innerText()).trim(), '교촌 같이 시켜요');
        assert.equal((await u.page.locator(tid('shared-dong')).innerText()).trim(), '역삼1동');
        assert.equal((await u.page.locator(tid('shared-store')).innerText()).trim(), '교촌치킨 역삼점');
        assert.match(await u.page.locator(tid('shared-left')).innerText(), /모집 중 · (\d+시간 )?(\d+분 )?남음/);
        const text = await u.page.locator('body').innerText();
        for (const hidden of [SECRET, '역삼작성자', '역삼역 3번 출구', '3,000'])
          assert.ok(!text.includes(hidden), `the shared page shows "${hidden}"`);
        if (vp.options.hasTouch) assert.deepEqual(await tapTargets(u, `${tid('shared-register')}, ${tid('shared-login')}`), []);
        await shot(u, 'share-page', overflow);

        // 2. 회원가입 keeps next.
        step = 'to sign-up';
        await press(u, u.page.locator(tid('shared-register')));
        await path(u, /^\/register\/$/, 'the sign-up form');
        assert.equal(new URL(u.page.url()).searchParams.get('next'), S.postPath);
        await u.page.locator(tid('register-email')).fill(email);
        await u.page.locator(tid('register-username')).fill(`이웃${n.slice(-6)}`);
        await u.page.locator(tid('register-password')).fill(PASSWORD);
        await u.page.locator(tid('register-password2')).fill(PASSWORD);

        // 3. A 법정동 name finds its 행정동.
        step = '법정동 search';
        const input = u.page.locator(tid('address-input'));
        const options = u.page.locator('[role="listbox"] [role="option"]');
        await input.fill('역삼동');
        await until(u, async () => (await options.count()) === 2, 'two results for 역삼동');
        assert.deepEqual(await options.allInnerTexts(), ['서울특별시 강남구 역삼1동', '서울특별시 강남구 역삼2동']);

        // 4. The location line goes stale once the field changes; nearest first.
        step = 'location';
        await input.press('Escape'); // close the list, which covers the button on phones
        await press(u, u.page.locator(tid('locate-button')));
        await visible(u, `${tid('locate-message')}:has-text("현재 위치: 서울특별시 강남구 역삼1동")`, 'the location line');
        assert.equal(await input.inputValue(), '서울특별시 강남구 역삼1동');
        await input.fill('사직');
        await gone(u, tid('locate-message'), 'the stale location line');
        await until(
          u,
          async () => (await options.count()) > 1 && (await options.allInnerTexts()).every((t) => t.includes('사직')),
          'results for 사직',
        );
        // Without a position 광주 남구 사직동 comes first (name order); from 역삼 it is 종로구's.
        assert.equal((await options.first().innerText()).trim(), '서울특별시 종로구 사직동');

        // 5. A full address that does not resolve: "혹시 이 동네인가요?" choices.
        step = 'suggestions';
        await input.fill('강남구 역삼동 123-4');
        // The autocomplete finds the address's 행정동 too (the lot number is left out).
        await until(
          u,
          async () => (await options.allInnerTexts()).join() === '서울특별시 강남구 역삼1동,서울특별시 강남구 역삼2동',
          'the autocomplete for a full address',
        );
        await input.press('Escape');
        await until(u, async () => !(await u.page.locator('[role="listbox"]').isVisible()), 'the list closed');
        await press(u, u.page.locator(tid('register-submit')));
        const sugg = await visible(u, tid('address-suggestions'), 'the 혹시 이 동네인가요? choices');
        assert.match(await sugg.innerText(), /혹시 이 동네인가요\?/);
        const choices = sugg.locator('button');
        assert.deepEqual(await choices.allInnerTexts(), ['서울특별시 강남구 역삼1동', '서울특별시 강남구 역삼2동']);
        if (vp.options.hasTouch) assert.deepEqual(await tapTargets(u, `${tid('address-suggestions')} button`), []);
        await shot(u, 'register-suggestions', overflow);

        // 6. Tapping one signs up, and next brings the visitor to the post.
        step = 'pick a suggestion';
        await press(u, choices.nth(1));
        await path(u, new RegExp(`^/post/${S.postId}/$`), 'the shared post after sign-up');
        await visible(u, tid('post-detail'), 'the post detail');
        await visible(u, `.post-content:has-text("${SECRET}")`, 'the content, now signed in');

        // 7. Share: no Web Share API → copy the link.
        step = 'share';
        await press(u, u.page.locator(tid('share-button')));
        await visible(u, `${tid('share-status')}:has-text("링크를 복사했어요")`, 'the copied status');
        assert.equal(await u.page.evaluate(() => navigator.clipboard.readText()), base + S.postPath);
        if (vp.options.hasTouch) assert.deepEqual(await tapTargets(u, tid('share-button')), []);
        await shot(u, 'post-shared', overflow);
        // Where the browser has navigator.share, the link goes there instead.
        await u.page.evaluate(() => {
          window.__shared = null;
          navigator.share = async (data) => {
            window.__shared = data;
          };
        });
        await press(u, u.page.locator(tid('share-button')));
        await until(u, () => u.page.evaluate(() => window.__shared), 'navigator.share called');
        const shared = await u.page.evaluate(() => window.__shared);
        assert.equal(shared.url, base + S.postPath);
        assert.equal(shared.title, '교촌 같이 시켜요');
        assert.equal((await u.page.locator(tid('share-status')).innerText()).trim(), '', 'no copied status after a share');

        assert.deepEqual(overflow, [], 'nothing is wider than the viewport');
        assert.deepEqual(u.mon.pageErrors, []);
        assert.deepEqual(u.mon.cspViolations, []);
      } catch (e) {
        await failureShot(u, step);
        throw e;
      } finally {
        await u.context.close();
      }

      // 8. Signed-in flow from the shared page: login returns to the post.
      const v = await newUser(S.browser, vp, base, `returning ${vp.name}`);
      try {
        await v.page.goto(S.postPath);
        await visible(v, tid('shared-post'), 'the shared post page, signed out again');
        await press(v, v.page.locator(tid('shared-login')));
        await path(v, /^\/login\/$/, 'the login form');
        await v.page.locator(tid('login-email')).fill(email);
        await v.page.locator(tid('login-password')).fill(PASSWORD);
        await press(v, v.page.locator(tid('login-submit')));
        await path(v, new RegExp(`^/post/${S.postId}/$`), 'the shared post after login');
        await visible(v, tid('post-detail'), 'the post detail after login');
        assert.equal(await horizontalOverflow(v.page), '');
      } catch (e) {
        await failureShot(v, 'login-next');
        throw e;
      } finally {
        await v.context.close();
      }
    });
  }

  it('a missing post link says so and still offers the way in', async () => {
    const u = await newUser(S.browser, VPS[0], S.server.base, 'visitor missing');
    try {
      await u.page.goto('/post/999999/');
      await visible(u, tid('shared-post-missing'), 'the not-found share page');
      const reg = await u.page.locator(tid('shared-register')).getAttribute('href');
      assert.equal(reg, '/register/?next=%2Fpost%2F999999%2F');
    } finally {
      await u.context.close();
    }
  });
});
