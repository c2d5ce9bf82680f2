import { ReactNode, startTransition, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage, setUnauthorizedHandler } from './lib/api';
import { matchRoute, navigate, useLocation } from './lib/router';
import type { User } from './lib/types';
import { AuthContext } from './auth';
import { Layout } from './components/Layout';
import { ErrorBoundary, ErrorPanel, Loading } from './components/ui';
import { Landing } from './pages/Landing';
import { Login } from './pages/Login';
import { Register } from './pages/Register';
import { Board } from './pages/Board';
import { PostDetail } from './pages/PostDetail';
import { NotFound } from './pages/NotFound';
import { SharedPost } from './pages/SharedPost';
import { ChunkBoundary, lazyPage, preloadPages } from './lib/lazyPage';
import { MyChatsProvider } from './chats/MyChats';
import { useOnline } from './lib/online';
import { takeEarly } from './lib/early';
import { LAZY_ROUTES, type LazyScreen } from './lazyRoutes';

// Screens a first visit (landing, sign-in, sign-up, the board, a shared post)
// does not need come in their own chunks, fetched when first shown or, once
// signed in, when the browser is idle (preloadPages); the service worker keeps
// them in its /assets/ cache once fetched, so they open offline too.
const PostForm = lazyPage(() => import('./pages/PostForm').then((m) => ({ default: m.PostForm })));
const Chat = lazyPage(() => import('./pages/Chat').then((m) => ({ default: m.Chat })));
const Chats = lazyPage(() => import('./pages/Chats').then((m) => ({ default: m.Chats })));
const Profile = lazyPage(() => import('./pages/Profile').then((m) => ({ default: m.Profile })));
const Admin = lazyPage(() => import('./pages/Admin').then((m) => ({ default: m.Admin })));
const ResetPassword = lazyPage(() => import('./pages/ResetPassword').then((m) => ({ default: m.ResetPassword })));

// Opened on a lazy screen (a shared room or post-edit link, a reload): fetch
// its chunk now, beside the sign-in check, instead of after it.
{
  // (The server names the same chunks in the HTML: lazyRoutes.ts.)
  const here = typeof window !== 'undefined' ? window.location.pathname : '';
  const screens: Record<LazyScreen, { preload: () => void }> = { Chat, Chats, PostForm, Profile, Admin, ResetPassword };
  for (const [pattern, screen] of LAZY_ROUTES) if (matchRoute(pattern, here)) screens[screen].preload();
}

/** Pages where a 401 is expected and must not redirect. */
const PUBLIC_PATHS = ['/login/', '/register/', '/register', '/reset-password/', '/reset-password'];

export function isPublicPath(path: string, signedIn: boolean): boolean {
  return PUBLIC_PATHS.includes(path) || (path === '/' && !signedIn);
}

type Access = 'any' | 'guest' | 'user';

interface Route {
  pattern: string;
  access: Access;
  render: (p: Record<string, string>) => ReactNode;
  /** what a signed-out visitor sees instead of the login redirect */
  guest?: (p: Record<string, string>) => ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/login/', access: 'guest', render: () => <Login /> },
  { pattern: '/register/', access: 'guest', render: () => <Register /> },
  { pattern: '/write/', access: 'user', render: () => <PostForm /> },
  {
    pattern: '/post/:id/',
    access: 'user',
    render: (p) => <PostDetail key={p.id} id={p.id} />,
    guest: (p) => <SharedPost key={p.id} id={p.id} />,
  },
  { pattern: '/post/:id/edit/', access: 'user', render: (p) => <PostForm key={p.id} id={p.id} /> },
  { pattern: '/chats/', access: 'user', render: () => <Chats /> },
  { pattern: '/chat/:id/', access: 'user', render: (p) => <Chat key={p.id} id={p.id} /> },
  { pattern: '/me/', access: 'user', render: () => <Profile /> },
  { pattern: '/admin/', access: 'user', render: () => <Admin /> },
  { pattern: '/reset-password/', access: 'any', render: () => <ResetPassword /> },
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <Loading label="이동하는 중" />;
}

export function App() {
  const loc = useLocation();
  const path = loc.split('?')[0];
  const [user, setUser] = useState<User | null>(null);
  const [boot, setBoot] = useState<'loading' | 'ready' | ApiError>('loading');
  const userRef = useRef(user);
  userRef.current = user;

  function probe() {
    setBoot('loading');
    // The first real screen renders as a transition: React works on it in
    // slices of a few milliseconds instead of one long task (Lighthouse's
    // Total Blocking Time), and keeps "불러오는 중" up until it is done.
    // The first probe takes the request main.tsx began (same options).
    (takeEarly<{ user: User }>('/api/user/current/') ?? api<{ user: User }>('/api/user/current/', { quiet401: true }))
      .then((r) =>
        startTransition(() => {
          setUser(r.user);
          setBoot('ready');
        }),
      )
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) {
          startTransition(() => {
            setUser(null);
            setBoot('ready');
          });
        } else setBoot(e instanceof ApiError ? e : new ApiError(0, null));
      });
  }

  useEffect(probe, []);

  // Opened without a network (the service worker's cached shell): try again
  // as soon as the browser is back online.
  const online = useOnline();
  const offlineBoot = boot instanceof ApiError && boot.status === 0 && !online;
  const wasOffline = useRef(false);
  useEffect(() => {
    if (offlineBoot) wasOffline.current = true;
    else if (online && wasOffline.current && boot instanceof ApiError) {
      wasOffline.current = false;
      probe();
    }
  }, [offlineBoot, online, boot]);

  // A tapped notification asks an open tab to show its room (public/sw.js).
  useEffect(() => {
    const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    if (!sw) return;
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { type?: string; url?: unknown } | null;
      if (d?.type === 'navigate' && typeof d.url === 'string' && d.url.startsWith('/') && !d.url.startsWith('//')) navigate(d.url);
    };
    sw.addEventListener('message', onMessage);
    return () => sw.removeEventListener('message', onMessage);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      const here = window.location.pathname;
      const wasSignedIn = userRef.current !== null;
      setUser(null);
      if (!isPublicPath(here, wasSignedIn) && here !== '/') {
        const next = encodeURIComponent(here + window.location.search);
        navigate(`/login/?next=${next}`, { replace: true });
      } else if (here === '/' && wasSignedIn) {
        navigate('/login/', { replace: true });
      }
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  // Move focus to the main region after client-side navigation.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path]);

  // Signed in: fetch the other screens' chunks once the browser is idle.
  const signedIn = user !== null;
  useEffect(() => (signedIn ? preloadPages() : undefined), [signedIn]);

  const auth = useMemo(() => ({ user, setUser }), [user]);

  let page: ReactNode;
  if (boot === 'loading') page = <Loading label="불러오는 중" />;
  else if (offlineBoot)
    page = (
      <section className="panel center" role="status" data-testid="offline-state">
        <h1>오프라인이에요</h1>
        <p className="muted">인터넷에 연결되면 다시 불러올게요.</p>
        <button type="button" className="btn" onClick={probe}>
          다시 시도
        </button>
      </section>
    );
  else if (boot instanceof ApiError)
    page = <ErrorPanel title="밀버디에 연결할 수 없어요" message={errorMessage(boot)} onRetry={probe} />;
  else if (path === '/') page = user ? <Board /> : <Landing />;
  else {
    page = <NotFound />;
    for (const r of ROUTES) {
      const params = matchRoute(r.pattern, path);
      if (!params) continue;
      if (r.access === 'user' && !user)
        page = r.guest ? r.guest(params) : <Redirect to={`/login/?next=${encodeURIComponent(loc)}`} />;
      else if (r.access === 'guest' && user) page = <Redirect to="/" />;
      else page = r.render(params);
      break;
    }
  }

  return (
    <AuthContext.Provider value={auth}>
      <MyChatsProvider userId={user?.id ?? null}>
        <Layout>
          <ErrorBoundary key={path}>
            <ChunkBoundary>
              <Suspense fallback={<Loading label="화면을 불러오는 중" />}>{page}</Suspense>
            </ChunkBoundary>
          </ErrorBoundary>
        </Layout>
      </MyChatsProvider>
    </AuthContext.Provider>
  );
}
