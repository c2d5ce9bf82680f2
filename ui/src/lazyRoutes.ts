// The screens that come in their own chunk, by the route that shows them.
// One table for two readers: App.tsx fetches the screen's chunk at start-up
// when the page opens on its route, and the build (vite.config.ts) writes
// dist/route-chunks.json from it, so that the server can name the chunk in
// the HTML itself (a <link rel="modulepreload">) and the browser need not
// wait for the main bundle to ask for it. This module imports nothing:
// vite.config.ts runs it in Node.

/** A lazy screen: src/pages/<name>.tsx, exporting a component of that name. */
export type LazyScreen = 'Chat' | 'Chats' | 'PostForm' | 'Profile' | 'Admin' | 'ResetPassword';

/** Route pattern (as matchRoute reads it) → the lazy screen it shows. */
export const LAZY_ROUTES: readonly (readonly [pattern: string, screen: LazyScreen])[] = [
  ['/chat/:id/', 'Chat'],
  ['/chats/', 'Chats'],
  ['/write/', 'PostForm'],
  ['/post/:id/edit/', 'PostForm'],
  ['/me/', 'Profile'],
  ['/admin/', 'Admin'],
  ['/reset-password/', 'ResetPassword'],
];

/** The module a screen's chunk is built from, relative to ui/. */
export function screenModule(screen: LazyScreen): string {
  return `src/pages/${screen}.tsx`;
}
