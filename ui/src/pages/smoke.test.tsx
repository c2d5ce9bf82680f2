// @vitest-environment happy-dom
//
// Mount the whole app in a DOM (happy-dom) against a fake API: effects run,
// requests go out, answers render and forms map the server's 400s onto their
// fields. The fake answers with the shapes docs/api.md gives.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { App } from '../App';
import type { ChatRoom, Post, PostList, User, Weather } from '../lib/types';
import { safeNext } from './Login';
import { earlyPaths, startEarly } from '../lib/early';

// App fetches these screens with import() (route-level code splitting); load
// them once up front so a test's step-bounded until() does not wait on Vite's
// first transform of a module.
beforeAll(() =>
  Promise.all([import('./Chat'), import('./Chats'), import('./Profile'), import('./PostForm'), import('./Admin'), import('./ResetPassword')]),
);

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const user: User = {
  id: 1,
  username: '밀버디',
  email: 'me@x.kr',
  address: '서울특별시 종로구 창신1동',
  range: 1,
  is_staff: false,
  neighborhood: { code: '1111064000', name: '서울특별시 종로구 창신1동', lat: 37.57, lon: 127.01 },
};

const post: Post = {
  id: 3,
  title: '치킨 같이 시켜요',
  created_at: '2026-11-26T01:34:49Z',
  category: '치킨',
  address: user.address,
  content: '7시에 주문해요.',
  is_compelete: false,
  target_number: 4,
  join_number: 1,
  chat_id: 3,
  writer: { id: 2, username: '이웃', email: 'n@x.kr' },
  neighborhood: { code: '1111064000', name: user.address },
  distance_km: 0,
  is_joined: false,
};

const board: PostList = {
  posts: [post],
  paginator: { page_range: [1, 2], current_page: 1, prev_button: null, next_button: 2 },
};

const room: ChatRoom = {
  id: 3,
  post_id: 3,
  title: post.title,
  target_number: 4,
  join_number: 2,
  is_compelete: false,
  writer: post.writer,
  messages: [
    { id: 1, message: '안녕하세요', created_at: post.created_at, chatroom: 3, user: post.writer },
    { id: 2, message: '밀버디 님이 입장했습니다.', created_at: post.created_at, chatroom: 3, user: null },
  ],
  has_more: false,
};

const weather: Weather = {
  강수형태: '없음',
  날씨: '맑음',
  강수량: '강수없음',
  기온: '23℃',
  습도: '60%',
  풍속: '2.1m/s',
  detail: {
    provider: 'kma',
    time: '2026-11-26T01:00:00Z',
    temperature_c: 23,
    sky: '맑음',
    precipitation: '없음',
    precipitation_mm: 0,
    humidity_pct: 60,
    wind_ms: 2.1,
  },
};

type Answer = { status: number; body?: unknown };

/** The fake API: "METHOD /path" (query ignored) → answer; records calls. */
class FakeApi {
  routes = new Map<string, Answer>();
  calls: { method: string; path: string; body: unknown }[] = [];

  on(method: string, path: string, status: number, body?: unknown) {
    this.routes.set(`${method} ${path}`, { status, body });
    return this;
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    this.calls.push({ method, path: url.pathname + url.search, body });
    expect(new Headers(init?.headers).get('X-MealBuddy-Client')).toBe('web');
    const a = this.routes.get(`${method} ${url.pathname}`) ?? { status: 404, body: '요청한 항목을 찾을 수 없습니다.' };
    const text = a.body === undefined ? '' : JSON.stringify(a.body);
    return new Response(a.status === 204 ? null : text, {
      status: a.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };

  called(method: string, pathPrefix: string) {
    return this.calls.some((c) => c.method === method && c.path.startsWith(pathPrefix));
  }
}

/** A WebSocket that never connects: the chat page must still render its room. */
class SilentSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  constructor(public url: string) {
    super();
    sockets.push(this);
  }
  send() {}
  close() {
    this.readyState = 3;
  }
}
let sockets: SilentSocket[] = [];

let root: Root | null = null;
let container: HTMLElement;
let fake: FakeApi;

function signedIn(): FakeApi {
  return new FakeApi()
    .on('GET', '/api/user/current/', 200, { user })
    .on('GET', '/api/post/', 200, board)
    .on('GET', '/api/openAPI/weather/', 200, weather)
    .on('GET', `/api/post/detail/${post.id}/`, 200, post)
    .on('GET', `/api/chat/${room.id}/`, 200, room)
    .on('GET', `/api/chat/${room.id}/user/`, 200, [{ user: post.writer }, { user: { id: 1, username: user.username, email: user.email } }]);
}

function signedOut(): FakeApi {
  return new FakeApi().on('GET', '/api/user/current/', 401, '로그인이 필요합니다.');
}

/**
 * Render the app at path against api. With early, first begin the requests
 * main.tsx begins before the first render (early.ts), as it does.
 */
async function mount(path: string, api: FakeApi, { early = false } = {}) {
  fake = api;
  vi.stubGlobal('fetch', api.fetch);
  window.history.replaceState(null, '', path);
  if (early) for (const p of earlyPaths(window.location.pathname)) startEarly(p);
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  await act(async () => root!.render(<App />));
}

/** How many times the app asked GET path. */
const gets = (path: string) => fake.calls.filter((c) => c.method === 'GET' && c.path === path).length;

/** Let effects and fetches settle until cond holds (bounded by steps, not time). */
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 100 && !cond(); i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
  if (!cond()) throw new Error(`never saw ${what}; page:\n${container.innerHTML.slice(0, 2000)}`);
}

const $ = (testId: string) => container.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
const text = () => container.textContent ?? '';

async function type(testId: string, value: string) {
  const el = $(testId) as HTMLInputElement;
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(testId: string) {
  const form = $(testId)!.closest('form')!;
  await act(async () => {
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}

beforeEach(() => {
  sockets = [];
  vi.stubGlobal('WebSocket', SilentSocket);
});

afterEach(async () => {
  await act(async () => root?.unmount());
  root = null;
  container.remove();
  vi.unstubAllGlobals();
});

describe('screens with effects against a fake API', () => {
  it('landing: signed out, shows the pitch and the data attribution', async () => {
    await mount('/', signedOut());
    await until(() => text().includes('회원가입'), 'the landing page');
    expect(text()).toContain('로그인');
    expect($('attribution')?.textContent).toContain('vuski/admdongkor, CC BY 4.0');
  });

  it('board: loads the posts, the paginator and the weather', async () => {
    await mount('/', signedIn());
    await until(() => $('post-item') !== null, 'the post list');
    expect($('post-item')?.textContent).toContain('치킨 같이 시켜요');
    expect($('page-next')).not.toBeNull();
    await until(() => $('weather-now') !== null, 'the weather');
    expect($('weather-now')?.textContent).toContain('23℃');
    expect(fake.called('GET', '/api/openAPI/weather/?lat=37.5700&lon=127.0100')).toBe(true);
  });

  it('board: the weather row hides when the weather is off', async () => {
    await mount('/', signedIn().on('GET', '/api/openAPI/weather/', 404, '날씨 기능이 꺼져 있습니다.'));
    await until(() => $('post-item') !== null && fake.called('GET', '/api/openAPI/weather/'), 'the board');
    await until(() => !text().includes('날씨를 불러오는 중'), 'the weather to settle');
    expect($('weather-now')).toBeNull();
    expect(text()).not.toContain('현재 위치로 보기');
    expect($('menu-recommend')).not.toBeNull();
  });

  it('menu assistant: suggestion, then a question answered by the last turn', async () => {
    await mount(
      '/',
      signedIn()
        .on('GET', '/api/openAPI/foodchoicer/', 200, {
          reply: '맑은 날엔 치킨이죠.',
          suggestions: [{ menu: '후라이드', category: '치킨', reason: '맑아요', open_posts: [post] }],
        })
        .on('POST', '/api/openAPI/foodchoicer/', 200, [
          { role: 'system', content: 'prompt' },
          { role: 'user', content: '매운 거?' },
          { role: 'assistant', content: '떡볶이 어때요?' },
        ]),
    );
    await until(() => $('menu-recommend') !== null, 'the menu button');
    await act(async () => $('menu-recommend')!.click());
    await until(() => $('menu-result') !== null, 'the suggestion');
    expect($('menu-result')?.textContent).toContain('후라이드');
    expect($('menu-result')?.textContent).toContain('치킨 같이 시켜요 (1/4');
    await type('food-question', '매운 거?');
    await submit('food-question');
    await until(() => $('food-answer') !== null, 'the answer');
    expect($('food-answer')?.textContent).toContain('떡볶이 어때요?');
    const ask = fake.calls.find((c) => c.method === 'POST');
    expect(ask?.body).toEqual({ message: '매운 거?', lat: 37.57, lon: 127.01 });
  });

  it('post detail: loads the post with its join button', async () => {
    await mount(`/post/${post.id}/`, signedIn());
    await until(() => $('post-detail') !== null, 'the post');
    expect($('post-detail')?.textContent).toContain('7시에 주문해요.');
    expect($('join-button')).not.toBeNull();
  });

  it('chat: loads the room and its members without a live socket', async () => {
    await mount(`/chat/${room.id}/`, signedIn());
    await until(() => container.querySelectorAll('[data-testid="chat-message"]').length === 2, 'the history');
    expect(text()).toContain('안녕하세요');
    // Two sockets now: the room's, and /ws/me/ for the chat list and badges.
    expect(sockets.map((s) => new URL(s.url).pathname).sort()).toEqual(['/ws/chat/3/', '/ws/me/']);
  });

  it('chat opened on its address: takes the requests main.tsx began instead of asking again', async () => {
    // As main.tsx does before the first render: the sign-in check, the room and
    // its order side by side. This room has no order: its 404 is dropped.
    await mount(`/chat/${room.id}/`, signedIn(), { early: true });
    await until(() => container.querySelectorAll('[data-testid="chat-message"]').length === 2, 'the history');
    expect(gets('/api/user/current/')).toBe(1);
    expect(gets(`/api/chat/${room.id}/`)).toBe(1);
    expect(gets(`/api/chat/${room.id}/order/`)).toBe(1);
    expect($('order-summary')).toBeNull();
    expect(text()).toContain('안녕하세요');
  });

  it('chat opened on its address with an order: the order panel comes from the early answer', async () => {
    const order = {
      state: 'recruiting',
      store_name: '교촌치킨 창신점',
      menu_url: '',
      delivery_fee: 3000,
      fee_tiers: [],
      fee_now: 3000,
      min_order: 20000,
      order_at: new Date(Date.now() + 3600e3).toISOString(),
      pickup_spot: '주민센터 앞',
      pickup_note: '',
      close_on_min: false,
      eta_minutes: null,
      can_unlock: false,
      food_total: 0,
      remaining_to_min: 20000,
      fee_share: 3000,
      payment_info: '',
      members: [{ user: post.writer, items: [], subtotal: 0, fee: 0, to_pay: 0, ready: false, paid: 'none' }],
    };
    const api = signedIn()
      .on('GET', `/api/chat/${room.id}/`, 200, { ...room, order_state: 'recruiting' })
      .on('GET', `/api/chat/${room.id}/order/`, 200, order);
    await mount(`/chat/${room.id}/`, api, { early: true });
    await until(() => $('order-summary') !== null && $('chat-message') !== null, 'the room with its order');
    expect($('order-store')?.textContent).toContain('교촌치킨 창신점');
    expect(gets(`/api/chat/${room.id}/`)).toBe(1);
    expect(gets(`/api/chat/${room.id}/order/`)).toBe(1);
  });

  it('chat list: rows, badges and tab title, kept live by /ws/me/ frames', async () => {
    const listItem = (id: number, lastId: number, unread: number, title: string, muted = false) => ({
      id,
      post: { id: id + 100, title, store_name: '교촌치킨 사직점', order_state: 'recruiting', order_at: null, is_compelete: false },
      last_message: { id: lastId, message: `메시지 ${lastId}`, created_at: new Date().toISOString(), user: { id: 2, username: 'minsu' } },
      unread,
      muted,
    });
    await mount(
      '/chats/',
      signedIn().on('GET', '/api/chat/', 200, {
        rooms: [listItem(3, 30, 2, '치킨 같이 시켜요'), listItem(4, 20, 0, '피자 반반'), listItem(5, 10, 7, '조용한 방', true)],
        next: null,
      }),
    );
    await until(() => container.querySelectorAll('[data-testid="chat-row"]').length === 3, 'the chat list');
    const rows = () => [...container.querySelectorAll<HTMLElement>('[data-testid="chat-row"]')].map((r) => r.dataset.roomId);
    expect(rows()).toEqual(['3', '4', '5']);
    expect($('chat-row-last')?.textContent).toBe('minsu: 메시지 30');
    expect(text()).toContain('모집 중');
    expect($('chat-row-muted')).not.toBeNull();
    // The muted room's 7 do not count in the total.
    expect($('tab-chats-badge')?.textContent).toBe('2');
    expect($('nav-chats-badge')?.textContent).toBe('2');
    expect(document.title).toBe('(2) 채팅 · 밀버디');

    const me = sockets.find((s) => s.url.endsWith('/ws/me/'))!;
    await act(async () => me.onmessage?.(new MessageEvent('message', { data: JSON.stringify({ type: 'room.updated', room: listItem(4, 31, 1, '피자 반반') }) })));
    expect(rows()).toEqual(['4', '3', '5']);
    expect($('tab-chats-badge')?.textContent).toBe('3');
    expect(document.title).toBe('(3) 채팅 · 밀버디');

    await act(async () => me.onmessage?.(new MessageEvent('message', { data: JSON.stringify({ type: 'room.removed', id: 3 }) })));
    expect(rows()).toEqual(['4', '5']);
    expect($('tab-chats-badge')?.textContent).toBe('1');
  });

  it('chat list: says what to do when there is no room yet', async () => {
    await mount('/chats/', signedIn().on('GET', '/api/chat/', 200, { rooms: [], next: null }));
    await until(() => $('chats-empty') !== null, 'the empty state');
    expect($('chats-empty')?.textContent).toContain('게시판에서');
    expect($('tab-chats-badge')).toBeNull();
    expect(document.title).toBe('채팅 · 밀버디');
  });

  it('write form: shows the server\'s field errors from a 400', async () => {
    await mount(
      '/write/',
      signedIn().on('POST', '/api/post/write/', 400, {
        errors: { title: ['제목은 30자 이하로 입력해 주세요.'], non_field_errors: ['잠시 후 다시 시도해 주세요.'] },
      }),
    );
    await until(() => $('post-title') !== null, 'the form');
    await type('post-title', '치킨');
    await type('post-content', '같이 시켜요');
    // a post without an order, as the original client writes (the order part has its own test)
    await act(async () => ($('order-enabled') as HTMLInputElement).click());
    const category = $('post-category') as HTMLSelectElement;
    await act(async () => {
      category.value = '치킨';
      category.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await submit('post-title');
    await until(() => text().includes('제목은 30자 이하로 입력해 주세요.'), 'the title error');
    expect($('form-errors')?.textContent).toContain('잠시 후 다시 시도해 주세요.');
    expect(($('post-submit') as HTMLButtonElement).disabled).toBe(false);
  });

  it('login: a wrong password shows the server\'s non-field error', async () => {
    await mount(
      '/login/',
      signedOut().on('POST', '/api/user/login/', 400, {
        errors: { non_field_errors: ['이메일 또는 비밀번호가 올바르지 않습니다.'] },
      }),
    );
    await until(() => $('login-email') !== null, 'the login form');
    await type('login-email', 'me@x.kr');
    await type('login-password', 'wrong-password');
    await submit('login-submit');
    await until(() => $('form-errors') !== null, 'the error');
    expect($('form-errors')?.textContent).toContain('이메일 또는 비밀번호가 올바르지 않습니다.');
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'me@x.kr', password: 'wrong-password' });
  });

  it('register: an unknown address shows its error and suggestions', async () => {
    await mount(
      '/register/',
      signedOut().on('POST', '/api/user/register/', 400, {
        errors: { address: ['주소를 행정동으로 찾을 수 없습니다.'] },
        suggestions: ['서울특별시 종로구 사직동'],
      }),
    );
    await until(() => $('register-email') !== null, 'the register form');
    await type('register-email', 'new@x.kr');
    await type('register-username', '새이웃');
    await type('register-password', 'password123');
    await type('register-password2', 'password123');
    await type('address-input', '사직');
    await submit('register-submit');
    await until(() => text().includes('주소를 행정동으로 찾을 수 없습니다.'), 'the address error');
    expect(text()).toContain('서울특별시 종로구 사직동');
  });

  it('profile: a password change reports the server\'s message', async () => {
    await mount(
      '/me/',
      signedIn().on('POST', '/api/user/changepassword/', 200, { message: '비밀번호 변경 성공' }),
    );
    await until(() => $('pw-current_password') !== null, 'the profile');
    expect($('delete-account-button')).not.toBeNull();
    await type('pw-current_password', 'password123');
    await type('pw-new_password1', 'password456');
    await type('pw-new_password2', 'password456');
    await submit('pw-submit');
    await until(() => text().includes('비밀번호 변경 성공'), 'the success message');
  });

  it('unknown pages show the not-found screen', async () => {
    await mount('/nowhere/', signedIn());
    await until(() => $('not-found') !== null, 'the not-found page');
  });
});

describe('safeNext', () => {
  it('only follows same-site paths', () => {
    expect(safeNext('/post/3/')).toBe('/post/3/');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('/\\evil')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});

describe('moderation screens against a fake API', () => {
  const report = {
    id: 7,
    target: 'post',
    target_id: post.id,
    reason: 'spam',
    text: '전단지 광고예요',
    status: 'open',
    created_at: post.created_at,
    reporter: { id: 1, username: user.username, email: user.email },
    target_summary: '치킨 같이 시켜요 — 7시에 주문해요. (작성자 이웃)',
    target_owner: 2,
    action: '',
    resolved_by: null,
    resolved_at: null,
  };
  const staff = () =>
    signedIn()
      .on('GET', '/api/user/current/', 200, { user: { ...user, is_staff: true } })
      .on('GET', '/api/admin/reports/', 200, { reports: [report] })
      .on('GET', '/api/admin/users/pending/', 200, { users: [{ ...user, id: 9, username: '기다림', created_at: post.created_at }] })
      .on('GET', '/api/admin/audit/', 200, { entries: [] })
      .on('POST', '/api/admin/reports/7/resolve/', 200, { ...report, status: 'resolved', action: 'hide' })
      .on('POST', '/api/admin/users/9/approve/', 200, { message: '가입을 승인했어요.', user_id: 9 });

  it('관리: staff see the queue and the nav link, and resolve and approve', async () => {
    await mount('/admin/', staff());
    await until(() => $('admin-report') !== null, 'the report queue');
    expect($('nav-admin')).not.toBeNull();
    expect($('admin-report')?.textContent).toContain('스팸·광고');
    expect($('admin-report')?.textContent).toContain('전단지 광고예요');
    await act(async () => $('admin-hide')!.click());
    await until(() => $('admin-message') !== null, 'the resolve message');
    expect(fake.calls.find((c) => c.path === '/api/admin/reports/7/resolve/')?.body).toEqual({ action: 'hide' });
    await act(async () => $('admin-approve')!.click());
    await until(() => fake.called('POST', '/api/admin/users/9/approve/'), 'the approval');
  });

  it('관리: residents get no link and no queue', async () => {
    await mount('/admin/', signedIn());
    await until(() => text().includes('관리자만 볼 수 있어요'), 'the refusal');
    expect($('nav-admin')).toBeNull();
    expect(fake.called('GET', '/api/admin/')).toBe(false);
  });

  it('post detail: report with a reason, and block the writer', async () => {
    await mount(
      `/post/${post.id}/`,
      signedIn()
        .on('POST', '/api/reports/', 201, { ...report, reporter: undefined })
        .on('POST', '/api/user/blocks/', 201, post.writer),
    );
    await until(() => $('report-button') !== null, 'the report button');
    await act(async () => $('report-button')!.click());
    await submit('report-submit');
    await until(() => $('report-error') !== null, 'the missing-reason error');
    expect(fake.called('POST', '/api/reports/')).toBe(false);
    await act(async () => ($('report-reason-fraud') as HTMLInputElement).click());
    await type('report-text', '  선입금 요구  ');
    await submit('report-submit');
    await until(() => $('report-done') !== null, 'the confirmation');
    expect(fake.calls.find((c) => c.path === '/api/reports/')?.body).toEqual({
      target: 'post',
      id: post.id,
      reason: 'fraud',
      text: '선입금 요구',
    });
    await act(async () => $('block-button')!.click());
    await until(() => fake.called('POST', '/api/user/blocks/'), 'the block');
    expect(fake.calls.find((c) => c.path === '/api/user/blocks/' && c.method === 'POST')?.body).toEqual({ user_id: 2 });
  });

  it('register: sends the invite from the link and shows the approval wait', async () => {
    await mount(
      '/register/?invite=7QK2M9XW',
      signedOut()
        .on('GET', '/api/user/signup/', 200, { mode: 'invite', reset_by_email: false })
        .on('POST', '/api/user/register/', 202, { pending: true, message: '가입 신청이 접수되었어요.' }),
    );
    await until(() => $('register-invite') !== null, 'the invite field');
    expect(($('register-invite') as HTMLInputElement).value).toBe('7QK2M9XW');
    await type('register-email', 'new@x.kr');
    await type('register-username', '새이웃');
    await type('register-password', 'password123');
    await type('register-password2', 'password123');
    await type('address-input', '서울특별시 종로구 사직동');
    await submit('register-submit');
    await until(() => $('register-pending') !== null, 'the approval notice');
    expect(text()).toContain('가입 신청이 접수되었어요.');
    expect((fake.calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>).invite).toBe('7QK2M9XW');
  });

  it('register: a refused invite shows under its field', async () => {
    await mount(
      '/register/?invite=OLD',
      signedOut().on('POST', '/api/user/register/', 400, { errors: { invite: ['초대 코드가 올바르지 않거나, 이미 다 쓰였거나, 기한이 지났어요.'] } }),
    );
    await until(() => $('register-invite') !== null, 'the invite field');
    await type('register-email', 'new@x.kr');
    await type('register-username', '새이웃');
    await type('register-password', 'password123');
    await type('register-password2', 'password123');
    await type('address-input', '서울특별시 종로구 사직동');
    await submit('register-submit');
    await until(() => $('error-invite') !== null, 'the invite error');
  });

  it('login: a waiting account sees why', async () => {
    await mount('/login/', signedOut().on('POST', '/api/user/login/', 403, '운영자의 가입 승인을 기다리고 있어요.'));
    await until(() => $('login-email') !== null, 'the login form');
    expect($('forgot-password')).not.toBeNull();
    await type('login-email', 'me@x.kr');
    await type('login-password', 'password123');
    await submit('login-submit');
    await until(() => $('form-errors') !== null, 'the reason');
    expect($('form-errors')?.textContent).toContain('승인을 기다리고 있어요');
  });

  it('reset password: a new password with the link\'s token', async () => {
    await mount(
      '/reset-password?token=tok-123',
      signedOut().on('POST', '/api/user/reset-password/', 200, { message: '비밀번호를 바꿨어요.' }),
    );
    await until(() => $('reset-password1') !== null, 'the reset form');
    await type('reset-password1', 'short');
    await type('reset-password2', 'short');
    await submit('reset-submit');
    await until(() => $('error-password1') !== null, 'the length error');
    await type('reset-password1', 'new-password-1');
    await type('reset-password2', 'new-password-1');
    await submit('reset-submit');
    await until(() => $('reset-done') !== null, 'the success');
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({
      token: 'tok-123',
      password1: 'new-password-1',
      password2: 'new-password-1',
    });
  });

  it('reset password: without mail the page says to ask the operator', async () => {
    await mount('/reset-password/', signedOut().on('GET', '/api/user/signup/', 200, { mode: 'open', reset_by_email: false }));
    await until(() => $('reset-ask-operator') !== null, 'the ask-the-operator text');
  });

  it('profile: lists my blocks and unblocks', async () => {
    await mount(
      '/me/',
      signedIn()
        .on('GET', '/api/user/blocks/', 200, { blocks: [post.writer] })
        .on('DELETE', '/api/user/blocks/', 204),
    );
    await until(() => $('unblock-button') !== null, 'the block list');
    await act(async () => $('unblock-button')!.click());
    await until(() => fake.called('DELETE', '/api/user/blocks/'), 'the unblock');
    expect(fake.calls.find((c) => c.method === 'DELETE')?.body).toEqual({ user_id: 2 });
  });
});
