#!/usr/bin/env node
// Lighthouse (mobile, its default simulated throttling) on the real binary:
// landing, board, post and room, signed in where the screen needs it.
//
//   scripts/lighthouse.sh            (builds nothing; run `make build` and `cd e2e && npm ci` first)
//   MEALBUDDY_BIN=./mealbuddy CHROME_PATH=/usr/bin/chromium node scripts/lighthouse.mjs
//
// It starts the binary on a free loopback port with a fresh data folder filled
// by `mealbuddy seed` (residents and posts in 사직동 and neighbours) plus one
// group order with a joined neighbour and a few messages, launches Chromium
// through playwright-core with a persistent profile and a DevTools port, signs
// in there (the session cookie lives in that profile, so Lighthouse's own tab
// is signed in too: Lighthouse clears caches and service workers between runs,
// not cookies), and runs Lighthouse against that port. Prints a table and writes
// e2e/lighthouse/<page>.json (gitignored). Exit status 1 when a page ended on a
// different path than asked (e.g. redirected to /login/), so a table never
// reports the wrong screen. Figures from a busy machine are noisy; performance
// is simulated (Lantern), not measured.
//
//   LIGHTHOUSE_PAGES=board,room   only these pages (landing, board, post, room)
//   LIGHTHOUSE_TRACE=1            also write e2e/lighthouse/<page>.trace.json (the
//                                 trace Lighthouse simulated from, with V8 CPU
//                                 samples: open it in DevTools' Performance panel
//                                 or read it with scripts/lighthouse-trace.mjs;
//                                 the sampler itself costs time, so scores from
//                                 such a run are a little lower)
//   LIGHTHOUSE_CATEGORIES=fonts,blink,disabled-by-default-v8.cpu_profiler
//                                 with LIGHTHOUSE_TRACE=1: the extra trace
//                                 categories (e.g. "fonts" shows each font
//                                 lookup; default: the V8 sampler only)
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { api } from '../e2e/lib/helpers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromE2E = createRequire(join(root, 'e2e', 'package.json'));
const load = async (name) => import(pathToFileURL(fromE2E.resolve(name)).href);
const { default: lighthouse } = await load('lighthouse');
const { chromium } = fromE2E('playwright-core');

const BIN = resolve(process.env.MEALBUDDY_BIN || join(root, 'mealbuddy'));
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const OUT = join(root, 'e2e', 'lighthouse');
const PASSWORD = 'lighthouse-pass-1234';
const HOOD = '서울특별시 종로구 사직동';

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(args, input) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, MEALBUDDY_SEED_PASSWORD: PASSWORD } });
  if (r.status !== 0) throw new Error(`${BIN} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const tmp = mkdtempSync(join(tmpdir(), 'mealbuddy-lighthouse-'));
const data = join(tmp, 'data');
let server;
let context;
try {
  run(['migrate', 'up', '--data', data]);
  run(['seed', '--data', data]);
  run(['user', 'create', '--data', data, '--email', 'lh@example.com', '--username', '하늘이네', '--address', HOOD], PASSWORD + '\n');
  run(['user', 'create', '--data', data, '--email', 'lh2@example.com', '--username', '은비맘', '--address', HOOD], PASSWORD + '\n');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(tmp, 'server.log'), 'a');
  server = spawn(BIN, ['serve', '--data', data, '--addr', `127.0.0.1:${port}`, '--weather', 'off'], { stdio: ['ignore', log, log] });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + '/readyz')).ok) break;
    } catch {
      /* starting */
    }
    if (i > 200) throw new Error(`the server did not start: ${readFileSync(join(tmp, 'server.log'), 'utf8')}`);
    await sleep(100);
  }

  const debugPort = await freePort();
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROME,
    headless: true,
    args: [`--remote-debugging-port=${debugPort}`, '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    baseURL: base,
    locale: 'ko-KR',
  });
  const page = context.pages()[0] || (await context.newPage());
  const call = (method, url, body) => api({ page }, method, url, body);
  const login = async (email) => {
    await page.goto('/login/');
    const r = await call('POST', '/api/user/login/', { email, password: PASSWORD });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const say = async (room, text) => {
    await page.goto(`/chat/${room}/`);
    await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor();
    await page.locator('[data-testid="message-input"]').fill(text);
    await page.locator('[data-testid="send-button"]').click();
    await page.locator('[data-testid="chat-message"][data-pending="false"]', { hasText: text.slice(0, 20) }).waitFor();
  };

  // A second resident joins the order and both write; then sign in as the organiser.
  await login('lh@example.com');
  const w = await call('POST', '/api/post/write/', {
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
  if (w.status !== 201) throw new Error(`write: ${w.status} ${JSON.stringify(w.body)}`);
  const post = w.body.id;
  const room = (await call('GET', `/api/post/detail/${post}/`)).body.chat_id;
  await say(room, '안녕하세요! 7시에 주문할게요.');
  await call('POST', '/api/user/logout/');
  await login('lh2@example.com');
  if ((await call('POST', `/api/chat/${room}/`)).status !== 200) throw new Error('join failed');
  await say(room, '저도 참여했어요. 순살로 부탁드려요 🙏');
  await say(room, '메뉴는 여기서 봤어요 https://example.com/menu/kyochon');
  await call('POST', '/api/user/logout/');

  const pages = [
    { name: 'landing', path: '/', signedIn: false },
    { name: 'board', path: '/', signedIn: true },
    { name: 'post', path: `/post/${post}/`, signedIn: true },
    { name: 'room', path: `/chat/${room}/`, signedIn: true },
  ];
  mkdirSync(OUT, { recursive: true });
  const only = (process.env.LIGHTHOUSE_PAGES || '').split(',').filter(Boolean);
  const trace = Boolean(process.env.LIGHTHOUSE_TRACE);
  const rows = [];
  let wrong = 0;
  for (const p of pages) {
    if (only.length && !only.includes(p.name)) continue;
    if (p.signedIn) await login('lh@example.com');
    await page.goto('about:blank');
    const r = await lighthouse(`${base}${p.path}`, {
      port: debugPort,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
      ...(trace ? { additionalTraceCategories: process.env.LIGHTHOUSE_CATEGORIES || 'disabled-by-default-v8.cpu_profiler' } : {}),
    });
    const lhr = r.lhr;
    writeFileSync(join(OUT, `${p.name}.json`), r.report);
    if (trace) writeFileSync(join(OUT, `${p.name}.trace.json`), JSON.stringify(r.artifacts.Trace));
    const final = new URL(lhr.finalDisplayedUrl).pathname;
    if (final !== p.path) wrong++;
    const score = (c) => (lhr.categories[c]?.score == null ? '—' : Math.round(lhr.categories[c].score * 100));
    const cls = lhr.audits['cumulative-layout-shift']?.numericValue;
    const failed = Object.values(lhr.audits)
      .filter((a) => lhr.categories.accessibility.auditRefs.some((ref) => ref.id === a.id) && a.score === 0)
      .map((a) => a.id);
    rows.push({
      page: p.name,
      path: final === p.path ? p.path : `${p.path} → ${final}`,
      performance: score('performance'),
      accessibility: score('accessibility'),
      CLS: cls == null ? '—' : cls.toFixed(3),
      LCP: `${Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? 0)} ms`,
      TBT: `${Math.round(lhr.audits['total-blocking-time']?.numericValue ?? 0)} ms`,
      'a11y failures': failed.join(' ') || '—',
      // Lighthouse's CPU benchmark: a desktop scores ~1000+; far below, the
      // simulated performance figures mostly measure the busy machine.
      'CPU index': Math.round(lhr.environment.benchmarkIndex),
    });
    if (p.signedIn) {
      await page.goto('/login/');
      await call('POST', '/api/user/logout/');
    }
  }
  console.log(`Lighthouse mobile, simulated throttling, against ${BIN}:`);
  console.table(rows);
  console.log(`JSON reports: ${OUT}/`);
  if (wrong) {
    console.error(`${wrong} page(s) did not end where asked (see the path column)`);
    process.exitCode = 1;
  }
} finally {
  await context?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  if (!process.env.LIGHTHOUSE_KEEP_DATA) rmSync(tmp, { recursive: true, force: true });
}
