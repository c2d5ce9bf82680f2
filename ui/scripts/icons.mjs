// Renders the app icons in public/icons/ from the favicon's design with
// headless Chromium (playwright-core of e2e/, no dependency of the UI's own).
// Run once after changing the design, and commit the PNGs:
//   node ui/scripts/icons.mjs   (after `cd e2e && npm ci`)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

const svg = readFileSync(join(here, '..', 'public', 'favicon.svg'), 'utf8');
// The favicon's bowl and steam, without its rounded square.
const art = svg.replace(/^.*?<rect[^>]*\/>/s, '').replace(/<\/svg>\s*$/, '');

/** A square icon: the favicon as is (transparent corners), or full-bleed with the art scaled into the middle. */
function page(size, mode) {
  let body;
  if (mode === 'any') body = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
  else {
    // maskable: the art inside the central 80% circle every mask keeps.
    const scale = mode === 'maskable' ? 0.7 : 0.86;
    const off = (64 * (1 - scale)) / 2;
    body = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="${size}" height="${size}"><rect width="64" height="64" fill="#c2410c"/><g transform="translate(${off} ${off}) scale(${scale})">${art}</g></svg>`;
  }
  return `<!doctype html><html><body style="margin:0;background:transparent">${body}</body></html>`;
}

const out = [
  ['icon-192.png', 192, 'any'],
  ['icon-512.png', 512, 'any'],
  ['icon-maskable-192.png', 192, 'maskable'],
  ['icon-maskable-512.png', 512, 'maskable'],
  ['apple-touch-icon.png', 180, 'apple'],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
try {
  for (const [name, size, mode] of out) {
    const p = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await p.setContent(page(size, mode));
    await p.screenshot({ path: join(here, '..', 'public', 'icons', name), omitBackground: mode === 'any', clip: { x: 0, y: 0, width: size, height: size } });
    await p.close();
    console.log(`public/icons/${name} ${size}×${size} (${mode})`);
  }
} finally {
  await browser.close();
}
