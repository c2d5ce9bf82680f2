import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LAZY_ROUTES, screenModule } from './lazyRoutes';
import { matchRoute } from './lib/router';

const ui = resolve(import.meta.dirname, '..');

describe('LAZY_ROUTES', () => {
  it('has patterns the server can match: /-separated, ending in /, parameters only :id-style', () => {
    for (const [pattern] of LAZY_ROUTES) {
      expect(pattern).toMatch(/^(\/([a-z0-9-]+|:[a-z]+))+\/$/);
      const example = pattern.replace(/:[a-z]+/g, '42');
      expect(matchRoute(pattern, example)).not.toBeNull();
    }
  });

  // The build finds each screen's chunk by this module (vite.config.ts), and
  // App.tsx must import() that same module for the chunk to exist.
  it('names screens that App.tsx loads lazily from src/pages/<name>.tsx', () => {
    const app = readFileSync(resolve(ui, 'src/App.tsx'), 'utf8');
    for (const [, screen] of LAZY_ROUTES) {
      const source = readFileSync(resolve(ui, screenModule(screen)), 'utf8');
      expect(source).toContain(`export function ${screen}(`);
      expect(app).toContain(`import('./pages/${screen}')`);
      expect(app).not.toMatch(new RegExp(`import \\{[^}]*\\b${screen}\\b[^}]*\\} from './pages/${screen}'`));
    }
  });

  it('covers the routes of the lazy screens', () => {
    const screenOf = (path: string) => LAZY_ROUTES.find(([p]) => matchRoute(p, path))?.[1];
    expect(screenOf('/chat/7/')).toBe('Chat');
    expect(screenOf('/post/7/edit/')).toBe('PostForm');
    expect(screenOf('/write/')).toBe('PostForm');
    expect(screenOf('/chat/x/')).toBeUndefined();
    expect(screenOf('/post/7/')).toBeUndefined();
    expect(screenOf('/')).toBeUndefined();
  });
});
