// The first-load budget (issue 14): the JavaScript and CSS that ui/dist/index.html
// itself names — its module script, stylesheets and modulepreload links, not the
// chunks a route loads later with import() — gzipped, must stay within 110 KB.
// Gzip at zlib's default level (6), a little stricter than Vite's level-9 figures.
// A size, not a duration: fair on a busy machine. Needs a built ui/dist
// (`make build` or `cd ui && npm run build`; `make e2e` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '..', '..', 'ui', 'dist');
export const BUDGET_BYTES = 110 * 1024;

/** The /assets/ files index.html loads at once, in document order. */
export function firstLoadAssets(html) {
  const names = [];
  const tag = /<(script|link)\b([^>]*)>/gi;
  for (let m; (m = tag.exec(html)); ) {
    const attrs = m[2];
    const rel = /\brel=["']?([\w-]+)/i.exec(attrs)?.[1]?.toLowerCase();
    const url = /\b(?:src|href)=["']?([^"'\s>]+)/i.exec(attrs)?.[1];
    if (!url || !url.startsWith('/assets/')) continue;
    if (m[1].toLowerCase() === 'script' || rel === 'stylesheet' || rel === 'modulepreload') names.push(url);
  }
  return [...new Set(names)];
}

test('first load (index.html scripts, stylesheets, modulepreloads) is at most 110 KB gzipped', () => {
  const index = join(DIST, 'index.html');
  assert.ok(existsSync(index), `no ${index}: build the UI first (cd ui && npm run build)`);
  const assets = firstLoadAssets(readFileSync(index, 'utf8'));
  assert.ok(assets.some((a) => a.endsWith('.js')), `index.html names no /assets/*.js: ${assets.join(', ')}`);
  assert.ok(assets.some((a) => a.endsWith('.css')), `index.html names no /assets/*.css: ${assets.join(', ')}`);
  let total = 0;
  const rows = assets.map((a) => {
    const gz = gzipSync(readFileSync(join(DIST, a))).length;
    total += gz;
    return `${a} ${(gz / 1024).toFixed(1)} KB`;
  });
  const summary = `${rows.join('; ')}; total ${(total / 1024).toFixed(1)} KB of ${BUDGET_BYTES / 1024} KB`;
  console.log(`first load: ${summary}`);
  assert.ok(total <= BUDGET_BYTES, `the first load is over budget: ${summary}`);
});

test('firstLoadAssets reads script, stylesheet and modulepreload tags only', () => {
  const html = `<script type="module" crossorigin src="/assets/index-a.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/react-b.js">
    <link rel="stylesheet" crossorigin href="/assets/index-c.css">
    <link rel="icon" href="/favicon.svg"><link rel="manifest" href="/manifest.webmanifest">
    <link rel="prefetch" href="/assets/Admin-d.js">`;
  assert.deepEqual(firstLoadAssets(html), ['/assets/index-a.js', '/assets/react-b.js', '/assets/index-c.css']);
});
