import { AnchorHTMLAttributes, MouseEvent, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function notify() {
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

function snapshot() {
  return window.location.pathname + window.location.search;
}

function serverSnapshot() {
  return '/';
}

/** Current path + search; re-renders on navigation. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot, serverSnapshot);
}

export function useSearchParams(): URLSearchParams {
  const loc = useLocation();
  const i = loc.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : loc.slice(i));
}

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** A route parameter: every one of ours is a numeric id. */
const ID = /^[0-9]+$/;

/**
 * Match '/post/:id/edit/' against a path; every route ends with '/'. A
 * parameter matches only an id (digits, as they stand in the path, never
 * decoded), so an encoded '../' in a link cannot become part of a URL the
 * page builds from it: anything else is no match, the not-found page.
 */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const norm = (s: string) => (s.endsWith('/') ? s : s + '/');
  const p = norm(pattern).split('/');
  const a = norm(path).split('/');
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      if (!ID.test(a[i])) return null;
      params[p[i].slice(1)] = a[i];
    } else if (p[i] !== a[i]) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  function handle(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={handle} {...rest} />;
}
