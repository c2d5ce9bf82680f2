// End-to-end moderation: a resident reports a post, staff hide it on the 관리
// page, and the resident's board no longer shows it; then a chat message, the
// same way from the room. Real binary, real
// Chromium; the staff account is made with the CLI against the server's data
// folder while it serves.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, gone, path, failureShot } from '../lib/helpers.mjs';

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';

binaryPath();

/** mealbuddy user create … against the running server's data folder. */
function createUser(server, { email, username, admin }) {
  const args = ['user', 'create', '--data', join(server.dataDir, 'data'), '--email', email, '--username', username, '--address', HOOD];
  if (admin) args.push('--admin');
  const r = spawnSync(binaryPath(), args, { input: PASSWORD + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, `mealbuddy ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

const vp = VIEWPORTS[VIEWPORTS.length - 1]; // desktop: the 관리 page is a desk job

describe(`moderation end-to-end at ${vp.name}`, () => {
  const S = { server: null, browser: null, users: [], failed: null, overflow: [], run: Math.random().toString(36).slice(2, 7) };

  function step(name, fn) {
    it(name, async (t) => {
      if (S.failed) return t.skip(`an earlier step failed: ${S.failed}`);
      try {
        await fn(t);
      } catch (e) {
        S.failed = name;
        for (const u of S.users) await failureShot(u, `moderation-${name}`);
        throw e;
      }
    });
  }

  before(async () => {
    S.server = await startServer();
    S.browser = await launch();
  });

  after(async () => {
    for (const u of S.users) await u.context.close().catch(() => {});
    await S.browser?.close().catch(() => {});
    if (S.failed && S.server) console.error(`--- server log (moderation) ---\n${S.server.log()}`);
    await S.server?.stop();
  });

  async function login(label, email) {
    const u = await newUser(S.browser, vp, S.server.base, label);
    S.users.push(u);
    await u.page.goto('/login/');
    await (await visible(u, tid('login-email'), 'the login form')).fill(email);
    await u.page.locator(tid('login-password')).fill(PASSWORD);
    await press(u, u.page.locator(tid('login-submit')));
    await visible(u, tid('write-button'), 'the board after logging in');
    return u;
  }

  /** Write a post through the API with the page's own session. */
  async function writePost(u, title) {
    const r = await u.page.evaluate(async (title) => {
      const res = await fetch('/api/post/write/', {
        method: 'POST',
        headers: { 'X-MealBuddy-Client': 'web', 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ title, category: '치킨', target_number: 4, content: '같이 시켜요' }),
      });
      return { status: res.status, body: await res.json() };
    }, title);
    assert.equal(r.status, 201, `write "${title}": ${JSON.stringify(r.body)}`);
    return String(r.body.id);
  }

  step('a writer posts twice; a resident and staff log in', async () => {
    createUser(S.server, { email: `staff.${S.run}@example.com`, username: `staff${S.run}`, admin: true });
    createUser(S.server, { email: `writer.${S.run}@example.com`, username: `writer${S.run}` });
    createUser(S.server, { email: `resident.${S.run}@example.com`, username: `resident${S.run}` });
    S.W = await login('writer', `writer.${S.run}@example.com`);
    S.badTitle = `광고 글 ${S.run}`;
    S.goodTitle = `치킨 같이 ${S.run}`;
    S.bad = await writePost(S.W, S.badTitle);
    S.good = await writePost(S.W, S.goodTitle);
    S.R = await login('resident', `resident.${S.run}@example.com`);
    S.Staff = await login('staff', `staff.${S.run}@example.com`);
    await visible(S.Staff, tid('nav-admin'), 'the 관리 link for staff');
    assert.equal(await S.R.page.locator(tid('nav-admin')).count(), 0, 'a resident must not see the 관리 link');
  });

  step('the resident reports the post from its page', async () => {
    const u = S.R;
    await u.page.goto('/');
    await visible(u, `${tid('post-item')}[data-post-id="${S.bad}"]`, 'the post on the board');
    await press(u, u.page.locator(`${tid('post-item')}[data-post-id="${S.bad}"] a`));
    await path(u, new RegExp(`^/post/${S.bad}/$`), 'the post page');
    await press(u, await visible(u, tid('report-button'), 'the 신고 button'));
    await press(u, u.page.locator(tid('report-submit')));
    await visible(u, tid('report-error'), 'the error for a report without a reason');
    await press(u, u.page.locator(tid('report-reason-spam')));
    await u.page.locator(tid('report-text')).fill('전단지 광고예요');
    await press(u, u.page.locator(tid('report-submit')));
    await visible(u, tid('report-done'), 'the 신고했어요 confirmation');
    await shot(u, 'moderation-01-reported', S.overflow);
  });

  step('staff hide it on the 관리 page', async () => {
    const u = S.Staff;
    await press(u, u.page.locator(tid('nav-admin')));
    await path(u, /^\/admin\/$/, 'the 관리 page');
    const item = await visible(u, tid('admin-report'), 'the report in the queue');
    const text = await item.innerText();
    assert.match(text, new RegExp(S.badTitle), 'the queue should show the reported post');
    assert.match(text, /스팸·광고/, 'the queue should show the reason in Korean');
    assert.match(text, /전단지 광고예요/, "the queue should show the reporter's text");
    await shot(u, 'moderation-02-queue', S.overflow);
    await press(u, item.locator(tid('admin-hide')));
    await visible(u, tid('admin-message'), 'the 처리했어요 message');
    await visible(u, tid('admin-no-reports'), 'the empty queue');
    await visible(u, `${tid('admin-audit')}:has-text("가리기")`, 'the hide in the audit log');
  });

  step("the resident's board no longer shows it, and its page is gone", async () => {
    const u = S.R;
    await u.page.goto('/');
    await visible(u, `${tid('post-item')}[data-post-id="${S.good}"]`, 'the other post on the board');
    await gone(u, `${tid('post-item')}[data-post-id="${S.bad}"]`, 'the hidden post on the board');
    await u.page.goto(`/post/${S.bad}/`);
    await visible(u, tid('not-found'), 'the not-found page for the hidden post');
    await shot(u, 'moderation-03-board', S.overflow);
    // Staff still read it (kept for the record).
    await S.Staff.page.goto(`/post/${S.bad}/`);
    await visible(S.Staff, `${tid('post-detail')}[data-post-id="${S.bad}"]`, 'the hidden post for staff');
  });

  step("the resident blocks the writer, the writer's posts leave the board, and unblocking from the profile brings them back", async () => {
    const u = S.R;
    await u.page.goto(`/post/${S.good}/`);
    await press(u, await visible(u, tid('block-button'), 'the 작성자 차단 button'));
    await visible(u, tid('report-done'), 'the 차단했어요 confirmation');
    await u.page.goto('/');
    // The writer's other post is hidden already: the board is empty once loaded.
    await visible(u, tid('post-list-empty'), "the board without the blocked writer's posts");
    assert.equal(await u.page.locator(`${tid('post-item')}[data-post-id="${S.good}"]`).count(), 0);
    await u.page.goto('/me/');
    await press(u, await visible(u, tid('unblock-button'), 'the 차단 해제 button on the profile'));
    await gone(u, tid('unblock-button'), 'the unblocked user in the list');
    await u.page.goto('/');
    await visible(u, `${tid('post-item')}[data-post-id="${S.good}"]`, 'the post again after unblocking');
  });

  step('the resident reports a chat message from the room; staff hide it and it reads as hidden, live', async () => {
    const R = S.R;
    const W = S.W;
    await R.page.goto(`/post/${S.good}/`);
    await press(R, await visible(R, tid('join-button'), 'the 참여하기 button'));
    await press(R, await visible(R, tid('join-confirm'), 'the join sheet’s 참여할게요'));
    const m = await path(R, /^\/chat\/(\d+)\/$/, 'the room');
    await visible(R, `${tid('connection-state')}[data-state="open"]`, "the resident's socket");
    const mine = `안녕하세요 ${S.run}`;
    await R.page.locator(tid('message-input')).fill(mine);
    await press(R, R.page.locator(tid('send-button')));
    const own = await visible(R, `${tid('chat-message')}[data-pending="false"]:has-text("${mine}")`, 'my own message, stored');
    assert.equal(await own.locator(tid('message-report-open')).count(), 0, 'no 신고 on my own message');

    await W.page.goto(`/chat/${m[1]}/`);
    await visible(W, `${tid('connection-state')}[data-state="open"]`, "the writer's socket");
    const bad = `전화주세요 010-0000-${S.run}`;
    await W.page.locator(tid('message-input')).fill(bad);
    await press(W, W.page.locator(tid('send-button')));
    await visible(W, `${tid('chat-message')}[data-pending="false"]:has-text("${bad}")`, "the writer's message, stored");

    const msg = await visible(R, `${tid('chat-message')}[data-user-id]:has-text("${bad}")`, "the writer's message, live on the resident's screen");
    const msgId = await msg.getAttribute('data-message-id');
    await press(R, msg.locator(tid('message-report-open')));
    const form = await visible(R, `${tid('chat-message')}[data-message-id="${msgId}"] ${tid('report-block-message')}`, 'the report form under the message');
    await press(R, form.locator(tid('report-submit')));
    await visible(R, `${tid('report-block-message')} ${tid('report-error')}`, 'the error for a report without a reason');
    await press(R, form.locator(tid('report-reason-spam')));
    await form.locator(tid('report-text')).fill('번호 뿌리기');
    await press(R, form.locator(tid('report-submit')));
    await visible(R, `${tid('report-block-message')} ${tid('report-done')}`, 'the 신고했어요 confirmation');
    await shot(R, 'moderation-04-message-reported', S.overflow);
    await press(R, form.locator(tid('report-close')));
    await gone(R, tid('report-block-message'), 'the closed report form');

    const Staff = S.Staff;
    await Staff.page.goto('/admin/');
    const item = await visible(Staff, `${tid('admin-report')}:has-text("${bad}")`, 'the message report in the queue');
    const text = await item.innerText();
    assert.match(text, /채팅 메시지/, 'the queue names the target as a chat message');
    assert.match(text, new RegExp(`채팅 메시지 ${msgId}`), 'the queue names the reported message');
    assert.match(text, /번호 뿌리기/, "the queue shows the reporter's text");
    await press(Staff, item.locator(tid('admin-hide')));
    await visible(Staff, tid('admin-message'), 'the 처리했어요 message');
    await visible(
      R,
      `${tid('chat-message')}[data-message-id="${msgId}"]:has-text("운영 정책에 따라 가려진 메시지예요")`,
      'the hidden message, live in the open room',
    );
    assert.equal(await R.page.locator(`${tid('chat-message')}:has-text("${bad}")`).count(), 0, 'the text is gone');
  });

  step('no page errors', async () => {
    for (const u of S.users) assert.deepEqual(u.mon.pageErrors, [], `${u.label}: uncaught errors in the page`);
  });
});
