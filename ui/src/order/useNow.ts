import { useEffect, useState } from 'react';

/**
 * The current time, re-read every `everyMs` (and when the tab comes back),
 * so that "23분 남음" counts down without a reload.
 */
export function useNow(everyMs = 15000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const t = window.setInterval(tick, everyMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(t);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [everyMs]);
  return now;
}
