// Route-level code splitting: screens a first visit does not need are fetched
// with import() when first shown. A chunk that cannot be fetched (offline, or a
// new deploy removed the old hashed file) shows a friendly panel with 다시 시도,
// which imports again (React.lazy caches a failed import, so each retry makes a
// new lazy component), and 새로고침, which loads the current index.html.
import { Component, ComponentProps, ComponentType, ErrorInfo, lazy, ReactNode } from 'react';
import { whenIdle } from './idle';

const resets: (() => void)[] = [];
const loaders: (() => Promise<unknown>)[] = [];

/** A component that loads `load` on first render; retryChunks() lets a failed load try again. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same bound as React.lazy's
export function lazyPage<T extends ComponentType<any>>(load: () => Promise<{ default: T }>) {
  let Current = lazy(load);
  resets.push(() => {
    Current = lazy(load);
  });
  loaders.push(load);
  function LazyPage(props: ComponentProps<T>) {
    return <Current {...props} />;
  }
  /** Start fetching the chunk now (e.g. at start-up, for the screen in the address bar). */
  LazyPage.preload = () => {
    load().catch(() => {}); // a failure shows when the screen renders
  };
  return LazyPage;
}

/**
 * Fetch the lazy screens after the page has loaded, one per idle period (a
 * tap on 채팅 or 글쓰기 then does not wait, and the service worker's /assets/
 * cache holds the chunks for offline use). One import per idle callback, not
 * all in one: Vite's preload helper adds a <link> per dependency of each
 * import, and all of them at once made a 25-70 ms task right after load.
 * Failures are ignored (the screen fetches again when shown). Returns a
 * cancel function.
 */
export function preloadPages(): () => void {
  let next = 0;
  let cancel = () => {};
  const later = (fn: () => void) => {
    cancel = whenIdle(fn, 5000, 500);
  };
  const step = () => {
    if (next >= loaders.length) return;
    loaders[next++]().catch(() => {});
    later(step);
  };
  const start = () => later(step);
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
  return () => {
    window.removeEventListener('load', start);
    cancel();
    next = loaders.length;
  };
}

/** Forget failed imports so the next render fetches them again. */
export function retryChunks() {
  for (const r of resets) r();
}

/** Whether err is a failed dynamic import (Chromium, Firefox and Safari word it differently). */
export function isChunkError(err: unknown): boolean {
  const msg = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /dynamically imported module|importing a module script failed|error loading dynamically|ChunkLoadError|Unable to preload CSS/i.test(
    msg,
  );
}

/**
 * Catches a failed chunk import below it and offers a retry; any other error
 * goes on to the next boundary up (the page's ErrorBoundary).
 */
export class ChunkBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidCatch(error: Error, info: ErrorInfo) {
    if (isChunkError(error)) console.warn('화면 파일을 불러오지 못했어요', error.message, info.componentStack);
  }
  retry = () => {
    retryChunks();
    this.setState({ error: null });
  };
  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    if (!isChunkError(error)) throw error;
    return (
      <section className="panel error-panel" role="alert" data-testid="chunk-error">
        <h2>화면을 불러오지 못했어요</h2>
        <p>인터넷 연결을 확인하고 다시 시도해 주세요. 계속 안 되면 새로고침해 주세요.</p>
        <div className="row">
          <button type="button" className="btn" onClick={this.retry} data-testid="chunk-retry">
            다시 시도
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => window.location.reload()}>
            새로고침
          </button>
        </div>
      </section>
    );
  }
}
