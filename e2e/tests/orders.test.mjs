// End-to-end: a group order (issue 12) by three residents at 390×844, in real
// headless Chromium against the real binary. Every amount is read off the screen
// and compared with the money rule of docs/orders.md at each step.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, binaryPath } from '../lib/server.mjs';
import { launch, newUser, press, shot, VIEWPORTS } from '../lib/browser.mjs';
import { tid, visible, path, until, failureShot, api } from '../lib/helpers.mjs';

const HOOD = '서울특별시 종로구 사직동';
const PASSWORD = 'e2e-pass-1234';
const FEE = 3000;
const MIN = 20000;
const TARGET = 4;
// The server's test-only shortest deadline (serve --order-min-lead, here through its
// MEALBUDDY_ environment twin): lets a deadline pass in seconds instead of 10 minutes.
process.env.MEALBUDDY_ORDER_MIN_LEAD = '2s';

binaryPath();
const vp = VIEWPORTS.find((v) => v.name === 'phone-390x844');

/** "12,500원" → 12500 */
const num = (s) => Number(String(s).replace(/[^\d]/g, ''));

/**
 * The money rule (docs/orders.md), for the test's own expectation:
 * carts = [{id, subtotal, items}] in join order, organiser first.
 */
function rule(carts, organiserId, fee = FEE) {
  const food = carts.reduce((a, c) => a + c.subtotal, 0);
  const withItems = carts.filter((c) => c.items > 0);
  const share = withItems.length ? Math.floor(fee / withItems.length / 10) * 10 : 0;
  const others = withItems.filter((c) => c.id !== organiserId).length * share;
  const pay = {};
  for (const c of carts) {
    const f = c.id === organiserId ? fee - others : c.items > 0 ? share : 0;
    pay[c.id] = { subtotal: c.subtotal, fee: f, toPay: c.subtotal + f };
  }
  return { food, share, pay, remaining: Math.max(0, MIN - food) };
}

/** A context that registers through the API (the UI's register form has its own test). */
async function resident(S, label, name) {
  const u = await newUser(S.browser, vp, S.server.base, label);
  await u.page.goto('/');
  const r = await u.page.evaluate(
    async ({ email, username, password, address }) => {
      const res = await fetch('/api/user/register/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-MealBuddy-Client': 'web' },
        body: JSON.stringify({ email, username, password, password2: password, address }),
      });
      return { status: res.status, body: await res.json() };
    },
    { email: `${name}@example.com`, username: name, password: PASSWORD, address: HOOD },
  );
  assert.equal(r.status, 201, `${label}: register answered ${r.status} ${JSON.stringify(r.body)}`);
  u.id = r.body.user ? r.body.user.id : r.body.id;
  assert.ok(u.id, `${label}: register should name the user: ${JSON.stringify(r.body)}`);
  u.name = name;
  await u.page.goto('/');
  await visible(u, tid('write-button'), 'the board after registering');
  return u;
}

/** The pinned summary's numbers, as shown. */
async function summary(u) {
  const p = u.page;
  const t = async (id) => (await p.locator(tid(id)).first().innerText()).trim();
  return {
    food: num(await t('order-food-total')),
    fee: num(await t('order-fee')),
    mine: (await t('order-my-share')) === '–' ? null : num(await t('order-my-share')),
    state: (await p.locator(`${tid('order-summary')} ${tid('order-state')}`).innerText()).trim(),
  };
}

/** Every member's line in 주문 현황, as shown: "메뉴 9,000원 + 배달비 1,000원 = 10,000원". */
async function memberLines(u) {
  const p = u.page;
  await press(u, p.locator(tid('order-details-open')));
  await visible(u, tid('order-details'), 'the 주문 현황 sheet');
  const out = {};
  for (const li of await p.locator(tid('order-member')).all()) {
    const id = Number(await li.getAttribute('data-user-id'));
    const m = (await li.locator('.om-money').innerText()).match(/메뉴 ([\d,]+)원 \+ 배달비 ([\d,]+)원 = ([\d,]+)원/);
    assert.ok(m, `${u.label}: member ${id}'s money line should read "메뉴 … + 배달비 … = …"`);
    out[id] = { subtotal: num(m[1]), fee: num(m[2]), toPay: num(m[3]) };
  }
  const shareText = await p.locator(`${tid('order-details')} ${tid('order-fee-share')}`).innerText();
  await press(u, p.locator(tid('order-details-close')));
  return { lines: out, share: num(shareText) };
}

/** Wait until u's room shows the expected food total, then check every number against the rule. */
async function checkRoom(u, exp, members, what) {
  await until(u, async () => (await summary(u)).food === exp.food, `${u.label}'s summary to show the food total ${exp.food} (${what})`);
  const s = await summary(u);
  assert.equal(s.fee, FEE, `${u.label} (${what}): 배달비`);
  assert.equal(s.mine, exp.pay[u.id].toPay, `${u.label} (${what}): 내 몫 should be own items + fee share`);
  const { lines, share } = await memberLines(u);
  assert.equal(share, exp.share, `${u.label} (${what}): 1인 배달비`);
  assert.deepEqual(Object.keys(lines).map(Number).sort(), members.map((m) => m.id).sort(), `${u.label} (${what}): the members listed`);
  for (const m of members) assert.deepEqual(lines[m.id], exp.pay[m.id], `${u.label} (${what}): ${m.label}'s line`);
  const sum = Object.values(lines).reduce((a, l) => a + l.toPay, 0);
  assert.equal(sum, exp.food + FEE, `${u.label} (${what}): the shares add up to food + fee`);
}

/** Add items to my cart through the sheet, save, mark ready. */
async function fillCart(u, items) {
  const p = u.page;
  await press(u, await visible(u, tid('cart-open'), 'the 내 장바구니 button'));
  await visible(u, tid('cart-sheet'), 'the cart sheet');
  for (const it of items) {
    await press(u, p.locator(tid('cart-add')));
    const row = p.locator(tid('cart-row')).last();
    await row.locator(tid('cart-item-name')).fill(it.name);
    await row.locator(tid('cart-item-price')).fill(String(it.price));
    await row.locator(tid('cart-item-qty')).selectOption(String(it.qty));
  }
  await press(u, p.locator(tid('cart-save')));
  const sub = items.reduce((a, it) => a + it.price * it.qty, 0);
  await until(u, async () => num(await p.locator(tid('cart-subtotal')).innerText()) === sub, `${u.label}'s saved cart to show ${sub}원`);
  await press(u, p.locator(tid('cart-ready')));
  await visible(u, `${tid('cart-ready')}[aria-pressed="true"]`, 'the 준비 완료 mark');
}

async function closeCart(u) {
  await press(u, u.page.locator(tid('cart-sheet-close')));
}

async function systemMessage(u, text) {
  await visible(u, `${tid('chat-message')}[data-system="true"]:has-text("${text}")`, `the system message "${text}"`);
}

async function lifecycle(u, step, eta) {
  const p = u.page;
  await press(u, p.locator(tid('order-details-open')));
  await press(u, await visible(u, tid(`order-step-${step}`), `the ${step} button`));
  await visible(u, tid('order-step-confirm'), 'the confirmation step');
  if (eta) await p.locator(tid('order-eta')).fill(String(eta));
  await press(u, p.locator(tid(`order-step-yes-${step}`)));
  await until(u, async () => (await p.locator(tid('order-step-confirm')).count()) === 0, `the ${step} step to finish`);
  await press(u, p.locator(tid('order-details-close')));
}

function story(name, body) {
  describe(name, () => {
    const S = { server: null, browser: null, users: [], failed: null, overflow: [] };
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
      S.server = await startServer();
      S.browser = await launch();
    });
    after(async () => {
      for (const u of S.users) await u.context.close().catch(() => {});
      await S.browser?.close().catch(() => {});
      if (S.failed && S.server) console.error(`--- server log ---\n${S.server.log()}`);
      await S.server?.stop();
    });
    body(S, step);
    it('no uncaught page error, and nothing wider than the phone', () => {
      for (const u of S.users) assert.deepEqual(u.mon.pageErrors, [], `${u.label}: uncaught errors in the page`);
      assert.deepEqual(S.overflow, [], 'horizontal overflow');
    });
  });
}

story('group order: three residents, fee 3,000원, minimum 20,000원, at phone-390x844', (S, step) => {
  const run = Math.random().toString(36).slice(2, 7);
  let O, N1, N2, carts, postId;
  const joined = [];
  const members = () => joined;
  const expect = () => rule(carts, O.id);

  step('three residents register in the same neighbourhood', async () => {
    O = await resident(S, 'organiser', `org${run}`);
    N1 = await resident(S, 'N1', `nb1${run}`);
    N2 = await resident(S, 'N2', `nb2${run}`);
    S.users.push(O, N1, N2);
    joined.push({ id: O.id, label: 'organiser' });
    carts = [
      { id: O.id, subtotal: 0, items: 0 },
      { id: N1.id, subtotal: 0, items: 0 },
      { id: N2.id, subtotal: 0, items: 0 },
    ];
  });

  step('the organiser writes the order: the preview splits the fee over the headcount', async () => {
    const u = O;
    const p = u.page;
    await press(u, p.locator(tid('nav-write')));
    await visible(u, tid('order-fields'), 'the order part of the write form');
    await p.locator(tid('post-title')).fill(`치킨 같이 시켜요 ${run}`);
    await p.locator(tid('post-category')).selectOption('치킨');
    await p.locator(tid('post-target')).selectOption(String(TARGET));
    await p.locator(tid('post-content')).fill('반반 시켜요. 맥주는 각자!');
    await p.locator(tid('order-store-name')).fill('교촌치킨 사직점');
    await p.locator(tid('order-fee-input')).fill(String(FEE));
    await p.locator(tid('order-min-input')).fill(String(MIN));
    await p.locator(tid('order-pickup')).fill('사직동 주민센터 앞');
    await visible(u, `${tid('order-when-30')}[aria-pressed="true"]`, 'the 30분 후 default');
    const preview = num(await p.locator(tid('fee-preview')).locator('strong').innerText());
    assert.equal(preview, Math.floor(FEE / TARGET / 10) * 10, 'the preview: 3,000원 over 4 people, rounded down to 10원');
    await shot(u, 'orders-01-write', S.overflow);
    await press(u, p.locator(tid('post-submit')));
    const m = await path(u, /^\/post\/(\d+)\/$/, 'the new post');
    postId = m[1];
    const info = await visible(u, tid('post-order'), 'the order on the post page');
    assert.match(await info.innerText(), /교촌치킨 사직점/);
    assert.match(await info.innerText(), /3[01]분 남음/, 'the post page shows the time left');
    await press(u, p.locator(tid('open-chat-button')));
    await path(u, /^\/chat\/(\d+)\/$/, 'the room');
    await visible(u, `${tid('connection-state')}[data-state="open"]`, 'the socket');
    await visible(u, tid('order-summary'), 'the pinned order summary');
    assert.equal((await summary(u)).state, '모집 중');
  });

  step('neighbour 1 finds it on the board, joins and adds a chicken: one eater pays the whole fee', async () => {
    const u = N1;
    await u.page.goto('/');
    const card = await visible(u, `${tid('post-item')}[data-post-id="${postId}"] ${tid('order-card')}`, 'the order card on the board');
    const text = await card.innerText();
    assert.match(text, /교촌치킨 사직점/);
    assert.match(text, /\d+분 남음/);
    assert.match(text, /20,000원 남음/, 'nothing in carts yet');
    await press(u, u.page.locator(`${tid('post-item')}[data-post-id="${postId}"] a`));
    await visible(u, tid('post-order'), 'the order on the post page');
    await shot(u, 'orders-01b-post', S.overflow);
    await press(u, await visible(u, tid('join-button'), 'the 참여하기 button'));
    await press(u, await visible(u, tid('join-confirm'), 'the join sheet’s 참여할게요'));
    await visible(u, `${tid('connection-state')}[data-state="open"]`, 'the socket');
    joined.push({ id: N1.id, label: 'neighbour 1' });
    await fillCart(u, [{ name: '후라이드', price: 9000, qty: 1 }]);
    await shot(u, 'orders-02-cart-sheet', S.overflow);
    await closeCart(u);
    carts[1] = { id: N1.id, subtotal: 9000, items: 1 };
    await checkRoom(N1, expect(), members(), 'after neighbour 1 added');
    await checkRoom(O, expect(), members(), 'after neighbour 1 added, seen live by the organiser');
  });

  step('the board shows members, progress to the minimum and the fee per person', async () => {
    const u = N2;
    await u.page.goto('/');
    const card = await visible(u, `${tid('post-item')}[data-post-id="${postId}"]`, 'the card');
    const text = await card.innerText();
    const e = expect();
    assert.match(text, /👥 2\/4/, 'two members of four');
    assert.equal(num(await card.locator(tid('order-remaining')).innerText()), e.remaining, 'N원 남음 = minimum − food total');
    assert.equal(num(await card.locator(tid('order-fee-share')).innerText()), e.share, '1인 배달비 on the card');
    await until(u, async () => (await card.locator('[role="progressbar"]').getAttribute('aria-valuenow')) === String(e.food), 'the progress bar');
    assert.equal(await card.locator(tid('order-mine')).count(), 0, '내 주문 only on orders I am in');
    await shot(u, 'orders-03-board', S.overflow);
    // The organiser's board and neighbour 1's (who joined), each in a second
    // tab (the rooms stay open): 내 주문 on both, from the same shared page.
    for (const x of [O, N1]) {
      const tab = await x.context.newPage();
      try {
        await tab.goto('/');
        await tab.locator(`${tid('post-item')}[data-post-id="${postId}"] ${tid('order-mine')}`).waitFor({ state: 'visible' });
      } catch (e) {
        throw new Error(`${x.label}'s board should show 내 주문 on the order: ${e.message}`);
      } finally {
        await tab.close();
      }
    }
    // Neighbour 2 again, after the others filled the cache: still not theirs.
    await u.page.reload();
    await visible(u, `${tid('post-item')}[data-post-id="${postId}"] ${tid('order-card')}`, 'the card after a reload');
    assert.equal(await u.page.locator(`${tid('post-item')}[data-post-id="${postId}"] ${tid('order-mine')}`).count(), 0, "no 내 주문 for someone who hasn't joined");
  });

  step('neighbour 2 joins and adds two dishes; then the organiser adds one: the fee splits three ways', async () => {
    const u = N2;
    await press(u, u.page.locator(`${tid('post-item')}[data-post-id="${postId}"] a`));
    await press(u, await visible(u, tid('join-button'), 'the 참여하기 button'));
    await press(u, await visible(u, tid('join-confirm'), 'the join sheet’s 참여할게요'));
    await visible(u, `${tid('connection-state')}[data-state="open"]`, 'the socket');
    joined.push({ id: N2.id, label: 'neighbour 2' });
    await fillCart(u, [
      { name: '양념치킨', price: 10000, qty: 1 },
      { name: '콜라 1.25L', price: 1000, qty: 2 },
    ]);
    await closeCart(u);
    carts[2] = { id: N2.id, subtotal: 12000, items: 2 };
    for (const x of [N2, N1, O]) await checkRoom(x, expect(), members(), 'after neighbour 2 added');
    await fillCart(O, [{ name: '치즈볼', price: 4500, qty: 1 }]);
    await closeCart(O);
    carts[0] = { id: O.id, subtotal: 4500, items: 1 };
    for (const x of [O, N1, N2]) await checkRoom(x, expect(), members(), 'after the organiser added');
    await shot(O, 'orders-04-room', S.overflow);
  });

  step('the organiser locks (with a confirmation), writes how to pay, orders and marks it arrived', async () => {
    await lifecycle(O, 'locked');
    for (const x of [O, N1, N2]) {
      await systemMessage(x, '방장이 주문을 마감했어요');
      await until(x, async () => (await summary(x)).state === '마감', `${x.label}'s summary to say 마감`);
      await checkRoom(x, expect(), members(), 'locked');
    }
    const p = O.page;
    await press(O, p.locator(tid('order-details-open')));
    await press(O, await visible(O, tid('payment-info-edit'), 'the 받을 방법 적기 button'));
    await p.locator(tid('payment-info-input')).fill('카카오뱅크 3333-01-1234567 김방장');
    await press(O, p.locator(tid('payment-info-save')));
    await visible(O, `${tid('payment-info')}:has-text("3333-01-1234567")`, 'the saved payment info');
    await shot(O, 'orders-05-details-locked', S.overflow);
    await press(O, p.locator(tid('order-details-close')));
    await lifecycle(O, 'ordered', 35);
    for (const x of [O, N1, N2]) await systemMessage(x, '약 35분 뒤 도착 예정이에요');
    await lifecycle(O, 'arrived');
    for (const x of [O, N1, N2]) {
      await systemMessage(x, '픽업 장소: 사직동 주민센터 앞');
      await until(x, async () => (await summary(x)).state === '도착', `${x.label}'s summary to say 도착`);
    }
  });

  step('both neighbours see what to pay and where, copy the account and mark 보냈어요', async () => {
    for (const u of [N1, N2]) {
      const p = u.page;
      await press(u, p.locator(tid('order-details-open')));
      await visible(u, `${tid('payment-info')}:has-text("카카오뱅크 3333-01-1234567")`, 'how to pay');
      await visible(u, tid('payment-copy'), 'the 계좌번호 복사 button');
      assert.equal(num(await p.locator(tid('my-to-pay')).innerText()), expect().pay[u.id].toPay, `${u.label}: 내가 보낼 돈`);
      await visible(u, tid('fee-rule'), 'the rule "남는 금액은 방장이 부담해요"');
      assert.match(await p.locator(tid('fee-rule')).innerText(), /남는 금액은 방장이 부담해요/);
      await press(u, p.locator(tid('payment-sent')));
      await visible(u, `${tid('my-payment')}[data-paid="sent"]`, 'my 보냈어요 mark');
      if (u === N1) await shot(u, 'orders-06-settlement', S.overflow);
      await press(u, p.locator(tid('order-details-close')));
    }
  });

  step('the organiser confirms both; the order is settled and the shares never changed', async () => {
    const p = O.page;
    await press(O, p.locator(tid('order-details-open')));
    for (const n of [N1, N2]) {
      await visible(O, `${tid('order-member')}[data-user-id="${n.id}"][data-paid="sent"]`, `${n.label} marked as 보냈어요`);
      await press(O, p.locator(tid(`payment-confirm-${n.id}`)));
      await visible(O, `${tid('order-member')}[data-user-id="${n.id}"][data-paid="confirmed"]`, `${n.label} confirmed`);
    }
    await press(O, p.locator(tid('order-details-close')));
    for (const x of [O, N1, N2]) {
      await systemMessage(x, '모두 정산을 마쳤어요');
      await until(x, async () => (await summary(x)).state === '정산 완료', `${x.label}'s summary to say 정산 완료`);
      await checkRoom(x, expect(), members(), 'settled');
    }
    await shot(N2, 'orders-07-room-settled', S.overflow);
  });

  step('the settled order leaves the 모집 중만 board and shows as 정산 완료 with the toggle off', async () => {
    const u = N1;
    await u.page.goto('/');
    await visible(u, tid('recruiting-toggle'), 'the 모집 중만 toggle');
    assert.equal(await u.page.locator(`${tid('recruiting-toggle')} input`).isChecked(), true, '모집 중만 is on by default');
    await until(u, async () => (await u.page.locator(tid('loading')).count()) === 0, 'the board to load');
    assert.equal(await u.page.locator(`${tid('post-item')}[data-post-id="${postId}"]`).count(), 0, 'not listed while 모집 중만');
    await press(u, u.page.locator(`${tid('recruiting-toggle')} input`));
    const card = await visible(u, `${tid('post-item')}[data-post-id="${postId}"]`, 'the settled order with the toggle off');
    assert.match(await card.innerText(), /정산 완료/);
  });
});

story('group order deadline: it locks on time, or cancels with fewer than two eaters, at phone-390x844', (S, step) => {
  const run = Math.random().toString(36).slice(2, 7);
  let O, N1, lockPost, cancelPost;

  async function writeOrder(u, title, secondsAhead) {
    const r = await api(u, 'POST', '/api/post/write/', {
      title,
      category: '피자',
      target_number: 3,
      content: '마감 시험',
      store_name: '도미노 사직점',
      delivery_fee: FEE,
      min_order: MIN,
      order_at: new Date(Date.now() + secondsAhead * 1000).toISOString(),
      pickup_spot: '101동 앞',
    });
    assert.equal(r.status, 201, `write answered ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  step('two residents register', async () => {
    O = await resident(S, 'organiser', `dorg${run}`);
    N1 = await resident(S, 'N1', `dnb${run}`);
    S.users.push(O, N1);
  });

  step('an order with one eater: the card counts down live, and at the deadline it is cancelled', async () => {
    cancelPost = await writeOrder(O, `혼자 피자 ${run}`, 15);
    await O.page.goto('/');
    const card = O.page.locator(`${tid('post-item')}[data-post-id="${cancelPost.id}"] ${tid('order-card')}`);
    await visible(O, `${tid('post-item')}[data-post-id="${cancelPost.id}"]`, 'the short order on the board');
    assert.match(await card.innerText(), /곧 마감/, 'under a minute left');
    // The card's clock ticks without a reload (no navigation happens here).
    await until(O, async () => /마감 시간 지남/.test(await card.innerText()), 'the card to say 마감 시간 지남 by itself', 60000);
    await O.page.goto(`/chat/${cancelPost.chat_id}/`);
    await visible(O, tid('order-summary'), 'the room');
    await systemMessage(O, '메뉴를 담은 사람이 2명보다 적어서 주문이 취소됐어요');
    await until(O, async () => (await summary(O)).state === '취소', 'the summary to say 취소');
    await O.page.goto('/');
    await visible(O, tid('recruiting-toggle'), 'the board');
    await until(O, async () => (await O.page.locator(tid('loading')).count()) === 0, 'the board to load');
    assert.equal(await O.page.locator(`${tid('post-item')}[data-post-id="${cancelPost.id}"]`).count(), 0, 'a cancelled order is not recruiting');
  });

  step('an order with two eaters locks by itself at the deadline, live in both rooms', async () => {
    lockPost = await writeOrder(O, `피자 반반 ${run}`, 600);
    await O.page.goto(`/chat/${lockPost.chat_id}/`);
    await visible(O, `${tid('connection-state')}[data-state="open"]`, 'the socket');
    await fillCart(O, [{ name: '페퍼로니 L', price: 15000, qty: 1 }]);
    await closeCart(O);
    await N1.page.goto(`/post/${lockPost.id}/`);
    await press(N1, await visible(N1, tid('join-button'), 'the 참여하기 button'));
    await press(N1, await visible(N1, tid('join-confirm'), 'the join sheet’s 참여할게요'));
    await visible(N1, `${tid('connection-state')}[data-state="open"]`, 'the socket');
    await fillCart(N1, [{ name: '포테이토 L', price: 16000, qty: 1 }]);
    await closeCart(N1);
    // Move the deadline to a few seconds from now (the organiser's edit re-arms it).
    const r = await api(O, 'POST', `/api/post/detail/${lockPost.id}/edit/`, {
      order_at: new Date(Date.now() + 4000).toISOString(),
    });
    assert.equal(r.status, 200, `edit answered ${r.status} ${JSON.stringify(r.body)}`);
    for (const x of [O, N1]) {
      await systemMessage(x, '주문 정보가 바뀌었어요');
      await systemMessage(x, '주문 시각이 되어 주문을 마감했어요');
      await until(x, async () => (await summary(x)).state === '마감', `${x.label}'s summary to say 마감`);
    }
    const exp = rule(
      [
        { id: O.id, subtotal: 15000, items: 1 },
        { id: N1.id, subtotal: 16000, items: 1 },
      ],
      O.id,
    );
    for (const x of [O, N1]) {
      const s = await summary(x);
      assert.equal(s.food, exp.food);
      assert.equal(s.mine, exp.pay[x.id].toPay, `${x.label}: 내 몫 after the automatic lock`);
    }
    await press(N1, N1.page.locator(tid('cart-open')));
    await visible(N1, `${tid('cart-sheet')}:has-text("주문이 마감되어 장바구니를 바꿀 수 없어요")`, 'the frozen cart');
    await shot(N1, 'orders-08-deadline-locked', S.overflow);
    await closeCart(N1);
  });
});
