import { describe, expect, it } from 'vitest';
import { isChunkError } from './lazyPage';

describe('isChunkError', () => {
  it('recognises failed dynamic imports in Chromium, Firefox and Safari wording', () => {
    expect(isChunkError(new TypeError('Failed to fetch dynamically imported module: http://x/assets/Chat-1.js'))).toBe(true);
    expect(isChunkError(new TypeError('error loading dynamically imported module: http://x/assets/Chat-1.js'))).toBe(true);
    expect(isChunkError(new TypeError('Importing a module script failed.'))).toBe(true);
    expect(isChunkError(new Error('Unable to preload CSS for /assets/Chat-1.css'))).toBe(true);
  });
  it('leaves other errors to the page boundary', () => {
    expect(isChunkError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isChunkError(new Error('Failed to fetch'))).toBe(false);
    expect(isChunkError('something')).toBe(false);
  });
});
