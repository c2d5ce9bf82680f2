import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { earlyPaths, startEarly } from './lib/early';
import { registerServiceWorker } from './push/push';
import './styles.css';

// The sign-in check (and in a room, the room and its order) go out now, side
// by side, not from the first effects one after another (lib/early.ts).
for (const p of earlyPaths(window.location.pathname)) startEarly(p);

// The first render as a transition: React renders it in slices of a few
// milliseconds (its first render also compiles most of react-dom) rather
// than in one long task.
const root = createRoot(document.getElementById('root')!);
startTransition(() =>
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);

registerServiceWorker();
