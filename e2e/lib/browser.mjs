// Debian's Chromium driven by playwright-core, plus per-context monitors for the
// security assertions (headers, tokens, CSP).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(here, '..', 'screenshots');
export const TIMEOUT = 15000;

// Suites that loop over VIEWPORTS run at every one; suites that need one pick
// it by name (VIEWPORTS.find(v => v.name === …)), not by index.
export const VIEWPORTS = [
  {
    name: 'phone-360x740',
    options: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  },
  {
    name: 'phone-390x844',
    options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  },
  { name: 'desktop-1280x800', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];

export async function launch() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: apt-get update && apt-get install -y chromium (or run e2e/run.sh)`);
  // playwright gives every launch a new, empty --user-data-dir of its own.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context for one user, with everything the security checks need
 * recorded in `mon`. contextOptions go to browser.newContext (e.g. the audit's
 * bypassCSP, to inject axe-core, and serviceWorkers: 'block').
 */
export async function newUser(browser, vp, base, label, contextOptions = {}) {
  const context = await browser.newContext({
    ...vp.options,
    ...contextOptions,
    baseURL: base,
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  // Surface CSP violations in the console even where Chromium would only report them.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation (securitypolicyviolation): ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  const mon = {
    label,
    apiRequests: [], // { method, url, client }
    urlsWithToken: [],
    documents: [], // { url, status, csp }
    consoleErrors: [],
    cspViolations: [],
    pageErrors: [],
    sockets: [],
    wsSent: [], // text frames the page wrote to a WebSocket
    wsReceived: [], // text frames it read
    pending: [],
  };
  const watch = (page) => {
    page.on('request', (req) => {
      const url = req.url();
      if (/token/i.test(new URL(url).search) || /[?&;]token=/i.test(url)) mon.urlsWithToken.push(url);
      const u = new URL(url);
      if (u.origin === new URL(base).origin && u.pathname.startsWith('/api/')) {
        mon.pending.push(
          req
            .allHeaders()
            // A tab closed while its request was in flight (the chat list starts
            // in the first idle period) can no longer give allHeaders(); the
            // headers the page set are in headers() all the same.
            .catch(() => req.headers())
            .then((h) => {
              mon.apiRequests.push({ method: req.method(), url: u.pathname + u.search, client: h['x-mealbuddy-client'] });
            }),
        );
      }
    });
    page.on('response', (res) => {
      if (res.request().resourceType() === 'document') {
        mon.documents.push({ url: res.url(), status: res.status(), csp: res.headers()['content-security-policy'] });
      }
    });
    page.on('websocket', (ws) => {
      mon.sockets.push(ws.url());
      ws.on('framesent', (f) => typeof f.payload === 'string' && mon.wsSent.push(f.payload));
      ws.on('framereceived', (f) => typeof f.payload === 'string' && mon.wsReceived.push(f.payload));
      if (/token/i.test(new URL(ws.url()).search)) mon.urlsWithToken.push(ws.url());
    });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      mon.consoleErrors.push(text);
      if (/content.security.policy|CSP violation/i.test(text)) mon.cspViolations.push(text);
    });
    page.on('pageerror', (err) => mon.pageErrors.push(String(err && err.stack ? err.stack : err)));
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, mon, vp, label };
}

/** Tap on touch viewports, click elsewhere. */
export async function press(u, locator) {
  if (u.vp.options.hasTouch) await locator.tap();
  else await locator.click();
}

/** Screenshot into e2e/screenshots/<viewport>-<name>.png and note horizontal overflow. */
export async function shot(u, name, overflow) {
  mkdirSync(SHOTS, { recursive: true });
  const page = u.page;
  // Let fonts and layout settle; screenshots are for people, not for timing.
  await page.evaluate(async () => {
    await (document.fonts && document.fonts.ready);
    // Full-page shots place a sticky top bar where the page was scrolled to.
    window.scrollTo(0, 0);
    (document.activeElement instanceof HTMLElement) && document.activeElement.blur();
  });
  // Let a touch tap's highlight fade (cosmetic only; nothing is asserted on time).
  if (u.vp.options.hasTouch) await page.waitForTimeout(400);
  const file = join(SHOTS, `${u.vp.name}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (overflow) {
    const o = await horizontalOverflow(page);
    if (o) overflow.push(`${u.vp.name} ${name}: ${o}`);
  }
  return file;
}

/** Describes content wider than the viewport, or returns '' when there is none. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const sw = document.documentElement.scrollWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > vw + 1 || r.left < -1) {
        // only report an element whose parent does not already overflow
        const pr = el.parentElement?.getBoundingClientRect();
        if (pr && (pr.right > vw + 1 || pr.left < -1)) continue;
        // ignore content clipped by a scrolling/overflow-hidden ancestor
        let clipped = false;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (/(auto|scroll|hidden|clip)/.test(s.overflowX)) {
            clipped = true;
            break;
          }
        }
        if (clipped) continue;
        const id = el.getAttribute('data-testid');
        wide.push(
          `<${el.tagName.toLowerCase()}${id ? ` data-testid=${id}` : ''}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> ${Math.round(r.left)}..${Math.round(r.right)}px`,
        );
      }
    }
    if (sw <= vw + 1 && wide.length === 0) return '';
    return `scrollWidth ${sw} > viewport ${vw}; ${wide.slice(0, 5).join('; ') || 'no single element found'}`;
  });
}

/** Keys and values of localStorage and sessionStorage that mention a token. */
export async function storageTokens(page) {
  return page.evaluate(() => {
    const hits = [];
    for (const [name, s] of [
      ['localStorage', window.localStorage],
      ['sessionStorage', window.sessionStorage],
    ]) {
      for (let i = 0; i < s.length; i++) {
        const k = s.key(i);
        const v = s.getItem(k) ?? '';
        if (/token/i.test(k) || /token/i.test(v) || /^eyJ[\w-]+\.[\w-]+\./.test(v)) hits.push(`${name}[${k}]`);
      }
    }
    return hits;
  });
}
