import { pushApi } from '../lib/api';
import type { PushSubscriptionBody } from '../lib/types';
import { whenIdle } from '../lib/idle';

// Web Push through our own service worker (public/sw.js). Everything here is
// quiet: an unsupported browser or a refusal is a state to show, never an error.

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

export function pushSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/**
 * Register the service worker once the page has loaded and the browser is
 * idle (it caches the app shell and shows pushes). Not at the load event
 * itself: installing it fetches the whole shell again (its precache), which
 * competed with the page's own start-up requests and work.
 */
export function registerServiceWorker() {
  if (typeof window === 'undefined' || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  const go = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      /* no offline shell and no pushes: the app works without them */
    });
  };
  const idle = () => {
    whenIdle(go, 5000, 1000);
  };
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}

/** The registration as it stands (none yet: null), without waiting. */
async function registration(): Promise<ServiceWorkerRegistration | null> {
  if (!pushSupported()) return null;
  try {
    return (await navigator.serviceWorker.getRegistration('/')) ?? null;
  } catch {
    return null;
  }
}

/** The registration once its worker is active (subscribing needs one). */
async function activeRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!pushSupported()) return null;
  // ready never settles when registering failed: do not wait forever.
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise<null>((resolve) => window.setTimeout(() => resolve(null), 10000)),
  ]);
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await registration();
  if (!reg) return null;
  try {
    return await reg.pushManager.getSubscription();
  } catch {
    return null;
  }
}

export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  return (await currentSubscription()) ? 'on' : 'off';
}

/** base64url (the server's VAPID public key) → bytes. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function asBody(sub: PushSubscription): PushSubscriptionBody | null {
  const j = sub.toJSON();
  if (!j.endpoint || !j.keys?.p256dh || !j.keys?.auth) return null;
  return { endpoint: j.endpoint, keys: { p256dh: j.keys.p256dh, auth: j.keys.auth } };
}

/**
 * Ask for permission (only ever from a click), subscribe with the server's
 * VAPID key and hand the subscription to the server. Resolves to the state
 * reached; never throws.
 */
export async function enablePush(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  try {
    const perm = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (perm === 'denied') return 'denied';
    if (perm !== 'granted') return 'off';
    const reg = await activeRegistration();
    if (!reg) return 'off';
    const { public_key } = await pushApi.key();
    const key = base64UrlToBytes(public_key);
    let sub = await reg.pushManager.getSubscription();
    if (sub && !sameKey(sub, key)) {
      // Subscribed with another server key (the data folder was reset): start over.
      await sub.unsubscribe().catch(() => false);
      sub = null;
    }
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    const body = asBody(sub);
    if (!body) return 'off';
    await pushApi.subscribe(body);
    return 'on';
  } catch {
    return 'off';
  }
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const k = sub.options?.applicationServerKey;
  if (!k) return true; // unknown: keep it
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

/** Stop pushes to this browser: tell the server, then drop the subscription. Never throws. */
export async function disablePush(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  try {
    await pushApi.unsubscribe(sub.endpoint);
  } catch {
    /* signed out already, or offline: the server drops it when the push service answers 410 */
  }
  await sub.unsubscribe().catch(() => false);
}

/**
 * Logging out: no pushes for the old account reach this browser, and the
 * service worker forgets what it cached.
 */
export async function forgetDevice(): Promise<void> {
  await disablePush();
  try {
    const reg = await registration();
    const sw = navigator.serviceWorker?.controller ?? reg?.active;
    sw?.postMessage({ type: 'logout' });
  } catch {
    /* no service worker */
  }
}

// "알림 받기" is offered once, at a meaningful moment: right after joining an order.

const OFFER_KEY = 'mealbuddy.push-offer-dismissed';
let offerRoom: string | null = null;

/** PostDetail calls this on a successful join, before opening the room. */
export function offerPushAfterJoin(roomId: string | number) {
  offerRoom = String(roomId);
}

/** Should the room page offer "알림 받기"? Only after a join in this tab, and not after 나중에. */
export function pushOfferPending(roomId: string): boolean {
  if (offerRoom !== roomId) return false;
  try {
    return window.localStorage.getItem(OFFER_KEY) === null;
  } catch {
    return true;
  }
}

export function dismissPushOffer(remember: boolean) {
  offerRoom = null;
  if (!remember) return;
  try {
    window.localStorage.setItem(OFFER_KEY, '1');
  } catch {
    /* private mode: it is offered again after the next join */
  }
}
