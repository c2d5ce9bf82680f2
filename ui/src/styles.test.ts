import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Twice a merge left a rule of styles.css unclosed, and CSS nesting then
// put every later rule inside it, silently (the build does not fail).
describe('styles.css', () => {
  it('closes every block it opens', () => {
    const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/'[^'\n]*'|"[^"\n]*"/g, '""');
    let depth = 0;
    let line = 1;
    const open: number[] = [];
    for (const ch of css) {
      if (ch === '\n') line++;
      else if (ch === '{') {
        depth++;
        open.push(line);
      } else if (ch === '}') {
        depth--;
        open.pop();
        expect(depth, `a '}' without its '{' near line ${line} (comments removed)`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(open, 'lines (comments removed) of blocks never closed').toEqual([]);
  });
});
