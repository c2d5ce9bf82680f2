/**
 * The read marker's pace: the web app marks a room read as messages arrive,
 * and a busy room would otherwise send a read frame for every one of them.
 * The server gives read frames a budget of their own (the chat rate, 5 a
 * second by default), so at most one goes out every READ_EVERY_MS: the
 * first at once, then the newest id seen meanwhile once the interval is
 * over. `flush` sends a waiting one now (when the room closes).
 */
export const READ_EVERY_MS = 1_000;

export interface ReadMarker {
  mark(messageId: number): void;
  flush(): void;
}

export function readMarker(send: (messageId: number) => void, everyMs = READ_EVERY_MS): ReadMarker {
  let lastSent = -Infinity;
  let sentId = 0;
  let waiting = 0; // the newest id not sent yet, 0: none
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!waiting) return;
    const id = waiting;
    waiting = 0;
    lastSent = Date.now();
    sentId = id;
    send(id);
  };

  return {
    mark(messageId) {
      if (messageId <= Math.max(waiting, sentId)) return;
      waiting = messageId;
      if (timer !== undefined) return;
      const wait = lastSent + everyMs - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    flush,
  };
}
