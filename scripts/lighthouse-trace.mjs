#!/usr/bin/env node
// What the page's main thread did, from a trace written by
// `LIGHTHOUSE_TRACE=1 scripts/lighthouse.sh`:
//
//   node scripts/lighthouse-trace.mjs e2e/lighthouse/board.trace.json [min-ms]
//
// Prints every main-thread task of at least min-ms (default 8) in the page's
// renderer, observed (unthrottled) time from navigation start, with its time by
// trace event (ParseHTML, v8.callFunction, Layout, UpdateLayoutTree, …; total
// time, so nested events overlap), and the JavaScript functions
// the V8 sampler saw most in it. Lighthouse's simulated figures are these
// tasks scaled by its 4× CPU slowdown.
import { readFileSync } from 'node:fs';

const [file, minArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/lighthouse-trace.mjs <page>.trace.json [min-ms]');
  process.exit(2);
}
const min = Number(minArg ?? 8) * 1000;
const trace = JSON.parse(readFileSync(file, 'utf8'));
const events = trace.traceEvents ?? trace;

// The renderer main thread that navigated: the one with the navigationStart
// of the page (not about:blank).
const nav = events
  .filter((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL?.startsWith('http'))
  .at(-1);
if (!nav) throw new Error('no navigationStart for an http document in this trace');
const { pid, tid } = nav;
const t0 = nav.ts;
const main = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && typeof e.dur === 'number');
main.sort((a, b) => a.ts - b.ts || b.dur - a.dur);

// CPU samples: the Profile event is on the sampled thread, its ProfileChunks
// (same id) come from the profiler's own thread.
const nodes = new Map();
const samples = [];
{
  const profile = events.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  let ts = profile?.args?.data?.startTime ?? null;
  for (const e of events) {
    if (!profile || e.name !== 'ProfileChunk' || e.pid !== pid || e.id !== profile.id) continue;
    const c = e.args?.data?.cpuProfile ?? {};
    for (const n of c.nodes ?? []) nodes.set(n.id, n);
    const deltas = e.args.data.timeDeltas ?? [];
    (c.samples ?? []).forEach((id, i) => {
      ts = (ts ?? e.ts) + (deltas[i] ?? 0);
      samples.push({ id, ts });
    });
  }
}
const fnName = (n) => {
  const f = n?.callFrame;
  if (!f) return '?';
  const url = f.url ? f.url.replace(/^.*\//, '') : '';
  return `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
};

const tops = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
let total = 0;
for (const task of tops) {
  if (task.ts < t0 || task.dur < min) continue;
  const end = task.ts + task.dur;
  const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= end);
  // self time per event name: subtract direct children
  const self = new Map();
  for (const e of inside) self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
  const names = [...self.entries()]
    .filter(([n]) => !/RunTask|ThreadController|SequenceManager/.test(n))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`)
    .join(', ');
  const url =
    inside.find((e) => e.args?.data?.url)?.args.data.url?.replace(/^.*\//, '') ??
    inside.find((e) => e.args?.data?.functionName)?.args.data.functionName ??
    '';
  const fns = new Map();
  for (const s of samples) {
    if (s.ts < task.ts || s.ts > end) continue;
    const n = nodes.get(s.id);
    const k = fnName(n);
    fns.set(k, (fns.get(k) ?? 0) + 1);
  }
  const hot = [...fns.entries()]
    .filter(([k]) => !/^\(idle\)|^\(program\)/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, c]) => `${k}×${c}`)
    .join('; ');
  total += task.dur;
  console.log(`${((task.ts - t0) / 1000).toFixed(0).padStart(6)} ms  ${(task.dur / 1000).toFixed(1).padStart(6)} ms  ${url}`);
  console.log(`           ${names}`);
  if (hot) console.log(`           js: ${hot}`);
}
console.log(`total of the tasks above: ${(total / 1000).toFixed(0)} ms (×4 in Lighthouse's simulation)`);
