/** Pure rules of the composer (Composer.tsx), kept apart for unit tests. */

/** The textarea grows up to this many lines, then scrolls. */
export const COMPOSER_MAX_LINES = 5;

/** The counter shows from this share of the limit on. */
export const COUNTER_FROM = 0.8;

export function counterVisible(len: number, max: number): boolean {
  return len >= Math.ceil(max * COUNTER_FROM);
}

export interface EnterKey {
  key: string;
  shiftKey: boolean;
  /** KeyboardEvent.isComposing: an IME (Korean!) is composing a syllable */
  isComposing: boolean;
  /** 229: the key went to an IME (older browsers' isComposing) */
  keyCode: number;
}

/**
 * Whether a keydown sends the message. Never while an IME composes (that
 * Enter only confirms the syllable). On touch devices Enter is a newline
 * and the button sends, as in KakaoTalk; on desktops Enter sends and
 * Shift+Enter is a newline.
 */
export function enterSends(e: EnterKey, touch: boolean): boolean {
  if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return false;
  if (touch) return false;
  return !e.shiftKey;
}

/** Whether this device's main pointer is a finger (phones, tablets). */
export function isTouchDevice(): boolean {
  return typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
}
