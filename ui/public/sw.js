// MealBuddy's service worker: the app shell offline, and Web Push.
//
// - Navigations: network first; the answer (the app's index.html) is kept as
//   the shell, and served from the cache when the network fails, so the app
//   opens offline and says so itself.
// - /assets/*: hashed, immutable: from the cache, else fetched and kept.
// - /api/ and /ws/: never touched, never cached (they carry a user's data).
// - A few static files (icons, manifest) are kept for the offline shell.
// - Logging out (a {type:'logout'} message from the page) drops every cache.
// - push → a notification per room (tag); a tap focuses a tab on that room.

const SHELL = 'mealbuddy-shell-v1';
const ASSETS = 'mealbuddy-assets-v1';
const KEEP = [SHELL, ASSETS];
const STATIC = ['/favicon.svg', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
const MAX_ASSETS = 60;

function isPrivate(url) {
  return url.pathname.startsWith('/api/') || url.pathname === '/api' || url.pathname.startsWith('/ws/') || url.pathname === '/ws';
}

// The shell, and the hashed files it names, so that the first offline
// reload works even though the first visit's files were fetched before this
// worker controlled the page.
async function precache() {
  const shell = await caches.open(SHELL);
  const res = await fetch('/', { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok || !(res.headers.get('Content-Type') || '').startsWith('text/html')) throw new Error('no shell');
  const html = await res.clone().text();
  await shell.put('/', res);
  await Promise.all(STATIC.map((u) => shell.add(u).catch(() => {})));
  const assets = await caches.open(ASSETS);
  const names = new Set(html.match(/\/assets\/[A-Za-z0-9._-]+/g) || []);
  await Promise.all([...names].map((u) => assets.add(u).catch(() => {})));
}

// A failed precache must not fail the install: pushes need an active worker,
// and the navigation handler keeps the shell from the next good load anyway.
self.addEventListener('install', (event) => {
  event.waitUntil(
    precache()
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (!KEEP.includes(name)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function trimAssets(cache) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - MAX_ASSETS; i++) await cache.delete(keys[i]);
}

async function navigation(request) {
  try {
    const res = await fetch(request);
    if (res.ok && (res.headers.get('Content-Type') || '').startsWith('text/html')) {
      const copy = res.clone();
      caches.open(SHELL).then((c) => c.put('/', copy)).catch(() => {});
    }
    return res;
  } catch (err) {
    const shell = await caches.match('/', { cacheName: SHELL });
    if (shell) return shell;
    throw err;
  }
}

async function asset(request) {
  const hit = await caches.match(request, { cacheName: ASSETS });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) {
    const copy = res.clone();
    caches
      .open(ASSETS)
      .then(async (c) => {
        await c.put(request, copy);
        await trimAssets(c);
      })
      .catch(() => {});
  }
  return res;
}

async function staticFile(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const hit = await caches.match(request, { cacheName: SHELL });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isPrivate(url)) return; // the network, untouched
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(staticFile(request));
  }
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'logout') {
    event.waitUntil(
      (async () => {
        for (const name of await caches.keys()) await caches.delete(name);
      })(),
    );
  }
});

/** Only a path of ours: a push can never send a tap to another site. */
function safeUrl(u) {
  return typeof u === 'string' && u.startsWith('/') && !u.startsWith('//') && !u.includes('\\') ? u : '/';
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === 'string' && data.title ? data.title : '밀버디';
  const body = typeof data.body === 'string' && data.body ? data.body : '새 소식이 있어요.';
  const options = {
    body,
    lang: 'ko',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: safeUrl(data.url) },
  };
  if (typeof data.tag === 'string' && data.tag) {
    // One notification per room: a newer one replaces it, and still rings.
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = safeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const mine = wins.filter((c) => new URL(c.url).origin === self.location.origin);
      const same = mine.find((c) => new URL(c.url).pathname === url);
      const win = same || mine.find((c) => c.focused) || mine[0];
      if (win) {
        await win.focus();
        // The page navigates itself (no reload); App.tsx listens for this.
        if (!same) win.postMessage({ type: 'navigate', url });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
