import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { LAZY_ROUTES, screenModule } from './src/lazyRoutes.ts';

// dist/.keep is committed so that `go build` (//go:embed all:dist) works on a
// fresh clone without Node. emptyOutDir deletes it, so put it back afterwards.
function keepPlaceholder() {
  return {
    name: 'mealbuddy-keep-dist-placeholder',
    apply: 'build' as const,
    closeBundle() {
      const dir = resolve(import.meta.dirname, 'dist');
      mkdirSync(dir, { recursive: true });
      writeFileSync(resolve(dir, '.keep'), '');
    },
  };
}

// dist/route-chunks.json: for each route of a lazy screen (src/lazyRoutes.ts),
// the URLs of the chunks that screen needs beyond those index.html loads
// already: its own chunk and what it imports, transitively, minus the
// entry's. The server (app/webui.go) names them in the HTML it serves for
// that route as <link rel="modulepreload">, so a room opened from a
// notification fetches its chunk beside the main bundle, not after it.
function routeChunks(): Plugin {
  const root = import.meta.dirname;
  return {
    name: 'mealbuddy-route-chunks',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const closure = (start: string[]) => {
        const seen = new Set<string>();
        const walk = (name: string) => {
          if (seen.has(name)) return;
          seen.add(name);
          for (const dep of byName.get(name)?.imports ?? []) walk(dep);
        };
        start.forEach(walk);
        return seen;
      };
      const loaded = closure(chunks.filter((c) => c.isEntry).map((c) => c.fileName));
      const routes = LAZY_ROUTES.map(([pattern, screen]) => {
        const id = resolve(root, screenModule(screen));
        const own = chunks.find((c) => c.isDynamicEntry && c.facadeModuleId === id);
        // A screen without a chunk of its own (imported statically
        // somewhere) would silently lose its preload: say so instead.
        if (!own) this.error(`route-chunks: no chunk of its own for ${screenModule(screen)} (${pattern})`);
        const files = [...closure([own.fileName])].filter((f) => !loaded.has(f));
        return { pattern, files: files.map((f) => '/' + f) };
      });
      this.emitFile({ type: 'asset', fileName: 'route-chunks.json', source: JSON.stringify(routes, null, 2) + '\n' });
    },
  };
}

export default defineConfig({
  plugins: [react(), keepPlaceholder(), routeChunks()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2020',
    // Browsers that know `system-ui` (Firefox 92+): for older ones the CSS
    // minifier expands it into nine family names (BlinkMacSystemFont, Segoe
    // UI, Roboto, …), and every name a system lacks costs a font lookup
    // during layout. Nothing else in styles.css changes with this target.
    cssTarget: ['chrome87', 'edge88', 'firefox92', 'safari14'],
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080' },
      // The server checks the WebSocket Origin against its public URL.
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true, headers: { origin: 'http://127.0.0.1:8080' } },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
