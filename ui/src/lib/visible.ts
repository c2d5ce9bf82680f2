import { useSyncExternalStore } from 'react';

function subscribe(l: () => void) {
  document.addEventListener('visibilitychange', l);
  return () => document.removeEventListener('visibilitychange', l);
}

/** Is this tab visible (not in the background, not minimised)? */
export function usePageVisible(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => document.visibilityState === 'visible',
    () => true,
  );
}
