// Waiting helpers that fail with a message saying who, where, and what was on screen.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, TIMEOUT } from './browser.mjs';

export const tid = (id) => `[data-testid="${id}"]`;

/** Call an API route from u's page: same origin, its session cookie, as the web app does. */
export async function api(u, method, url, body) {
  return u.page.evaluate(
    async ({ method, url, body }) => {
      const res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-MealBuddy-Client': 'web' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

async function context(u) {
  let text = '';
  try {
    text = (await u.page.locator('body').innerText({ timeout: 2000 })).replace(/\s+/g, ' ').slice(0, 400);
  } catch {
    /* page gone */
  }
  return `${u.label} (${u.vp.name}) at ${u.page.url()} — screen text: "${text}"`;
}

/** Save a screenshot of a failing step for debugging. */
export async function failureShot(u, step) {
  try {
    mkdirSync(SHOTS, { recursive: true });
    const safe = step.replace(/[^\w-]+/g, '_').slice(0, 60);
    await u.page.screenshot({ path: join(SHOTS, `FAILED-${u.vp.name}-${u.label}-${safe}.png`), fullPage: true });
  } catch {
    /* best effort */
  }
}

/** Wait for a selector to be visible; fail with `what` and the screen's text. */
export async function visible(u, selector, what, timeout = TIMEOUT) {
  const loc = u.page.locator(selector).first();
  try {
    await loc.waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`expected ${what} (${selector}) to be visible within ${timeout / 1000} s; ${await context(u)}`);
  }
  return loc;
}

/** Wait for a selector to be gone. */
export async function gone(u, selector, what, timeout = TIMEOUT) {
  try {
    await u.page.locator(selector).first().waitFor({ state: 'detached', timeout });
  } catch {
    throw new Error(`expected ${what} (${selector}) to disappear within ${timeout / 1000} s; ${await context(u)}`);
  }
}

/** Wait until the path matches `re`; returns the match. */
export async function path(u, re, what, timeout = TIMEOUT) {
  try {
    await u.page.waitForURL((url) => re.test(url.pathname), { timeout });
  } catch {
    throw new Error(`expected to reach ${what} (path ${re}) within ${timeout / 1000} s; ${await context(u)}`);
  }
  return new URL(u.page.url()).pathname.match(re);
}

/** Poll fn until it returns truthy. */
export async function until(u, fn, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what} (last: ${last}); ${await context(u)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
