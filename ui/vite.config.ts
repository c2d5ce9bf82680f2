import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

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

export default defineConfig({
  plugins: [react(), keepPlaceholder()],
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
