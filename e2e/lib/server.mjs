// Starts the real MealBuddy binary on a free loopback port with a fresh data folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, accessSync, constants, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Path of the binary under test: $MEALBUDDY_BIN, else ../mealbuddy relative to e2e/. */
export function binaryPath() {
  const p = process.env.MEALBUDDY_BIN
    ? resolve(process.cwd(), process.env.MEALBUDDY_BIN)
    : resolve(here, '..', '..', 'mealbuddy');
  if (!existsSync(p)) {
    throw new Error(
      `MealBuddy binary not found at ${p}. Build it first: ` +
        `make build (in the repository root) ` +
        `— or point MEALBUDDY_BIN at a built binary.`,
    );
  }
  accessSync(p, constants.X_OK);
  return p;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `$MEALBUDDY_BIN serve --data <tmp> --addr 127.0.0.1:<port>` and wait until
 * GET / answers. Weather is turned off so that the server makes no outside calls.
 * `args` are more serve flags (e.g. --push-allow for a local fake push service).
 */
export async function startServer({ timeoutMs = 20000, args: extra = [] } = {}) {
  const bin = binaryPath();
  const dataDir = mkdtempSync(join(tmpdir(), 'mealbuddy-e2e-'));
  const port = await freePort();
  const logPath = join(dataDir, 'server.log');
  const logFd = openSync(logPath, 'a');
  const args = ['serve', '--data', join(dataDir, 'data'), '--addr', `127.0.0.1:${port}`, '--weather', 'off', ...extra];
  const child = spawn(bin, args, { stdio: ['ignore', logFd, logFd], env: { ...process.env } });
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${bin} ${args.join(' ')} exited early (${JSON.stringify(exited)}). Log:\n${log()}`);
    try {
      const r = await fetch(base + '/');
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer GET ${base}/ within ${timeoutMs} ms. Log:\n${log()}`);
    }
    await sleep(100);
  }
  return {
    base,
    port,
    dataDir,
    log,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && !exited; i++) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Start the fake Web Push service (internal/pushtest/cmd/fakepush) on a free
 * loopback port: POST /subscription hands out a subscription whose keys it
 * keeps, GET /received lists the pushes it decrypted. $FAKEPUSH_BIN runs a
 * built one; otherwise `go run` from the repository root.
 */
export async function startFakePush({ timeoutMs = 120000 } = {}) {
  const root = resolve(here, '..', '..');
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const [cmd, args] = process.env.FAKEPUSH_BIN
    ? [process.env.FAKEPUSH_BIN, ['--addr', addr]]
    : ['go', ['run', './internal/pushtest/cmd/fakepush', '--addr', addr]];
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: !process.env.FAKEPUSH_BIN });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://${addr}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`fakepush exited early (${JSON.stringify(exited)}): ${out}`);
    try {
      const r = await fetch(base + '/received');
      if (r.ok) break;
    } catch {
      /* still building or starting */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fakepush did not answer within ${timeoutMs} ms: ${out}`);
    }
    await sleep(200);
  }
  return {
    base,
    addr,
    async subscription() {
      const r = await fetch(base + '/subscription', { method: 'POST' });
      if (!r.ok) throw new Error(`fakepush POST /subscription: ${r.status}`);
      return r.json();
    },
    async received() {
      const r = await fetch(base + '/received');
      return r.json();
    },
    async stop() {
      if (exited) return;
      // go run starts the program as its child: end the whole group.
      try {
        if (process.env.FAKEPUSH_BIN) child.kill('SIGTERM');
        else process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 100 && !exited; i++) await sleep(50);
    },
  };
}
