import { ReactNode } from 'react';
import { useAuth } from '../auth';
import { Link, useLocation } from '../lib/router';
import { ATTRIBUTION } from '../lib/constants';
import { badgeText } from '../chats/list';
import { useMyChats } from '../chats/MyChats';
import { useOnline } from '../lib/online';

function Count({ n, testId }: { n: number; testId: string }) {
  if (n <= 0) return null;
  return (
    <span className="count" data-testid={testId} aria-label={`읽지 않은 메시지 ${n}개`}>
      {badgeText(n)}
    </span>
  );
}

/** Phones (≤ 640 px): 게시판 / 채팅 / 글쓰기 / 내 정보 at the bottom of every signed-in screen. */
function TabBar({ path, unread }: { path: string; unread: number }) {
  const tab = (to: string, icon: string, label: string, id: string, current: boolean, extra?: ReactNode) => (
    <Link to={to} aria-current={current ? 'page' : undefined} data-testid={id}>
      <span className="tab-icon" aria-hidden="true">
        {icon}
        {extra}
      </span>
      <span>{label}</span>
    </Link>
  );
  return (
    <nav className="tabbar" aria-label="탭 메뉴" data-testid="tabbar">
      {tab('/', '🏠', '게시판', 'tab-board', path === '/' || path.startsWith('/post/'))}
      {tab('/chats/', '💬', '채팅', 'tab-chats', path === '/chats/' || path.startsWith('/chat/'), <Count n={unread} testId="tab-chats-badge" />)}
      {tab('/write/', '✏️', '글쓰기', 'tab-write', path === '/write/')}
      {tab('/me/', '👤', '내 정보', 'tab-me', path === '/me/')}
    </nav>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const loc = useLocation();
  const path = loc.split('?')[0];
  const isChat = path.startsWith('/chat/');
  const chats = useMyChats();
  const unread = chats?.total ?? 0;
  const online = useOnline();
  return (
    <div className={`app${isChat ? ' app-chat' : ''}${user ? ' has-tabbar' : ''}`}>
      <a className="skip-link" href="#main">
        본문으로 건너뛰기
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand" aria-label="밀버디 처음으로">
            <span className="brand-mark" aria-hidden="true">
              🍲
            </span>
            밀버디
          </Link>
          <nav aria-label="주 메뉴" className="topnav">
            {user ? (
              <>
                <Link to="/" aria-current={path === '/' ? 'page' : undefined} className="wide-only">
                  게시판
                </Link>
                <Link
                  to="/chats/"
                  aria-current={path === '/chats/' ? 'page' : undefined}
                  className="wide-only"
                  data-testid="nav-chats"
                >
                  채팅
                  <Count n={unread} testId="nav-chats-badge" />
                </Link>
                <Link to="/write/" aria-current={path === '/write/' ? 'page' : undefined} data-testid="nav-write">
                  글쓰기
                </Link>
                {user.is_staff && (
                  <Link to="/admin/" aria-current={path === '/admin/' ? 'page' : undefined} data-testid="nav-admin">
                    관리
                  </Link>
                )}
                <Link to="/me/" aria-current={path === '/me/' ? 'page' : undefined} data-testid="nav-me">
                  {user.username}
                </Link>
              </>
            ) : (
              <>
                <Link to="/login/" aria-current={path === '/login/' ? 'page' : undefined}>
                  로그인
                </Link>
                <Link to="/register/" aria-current={path === '/register/' ? 'page' : undefined}>
                  회원가입
                </Link>
              </>
            )}
          </nav>
        </div>
      </header>
      {!online && (
        <p className="offline-bar" role="status" data-testid="offline-bar">
          오프라인이에요. 연결되면 다시 불러올게요.
        </p>
      )}
      <main id="main" tabIndex={-1} className="main">
        {children}
      </main>
      {user && <TabBar path={path} unread={unread} />}
      {!isChat && (
        <footer className="footer">
          <p>밀버디 — 이웃과 함께 시키고 배달비는 나눠요.</p>
          <p data-testid="attribution">{ATTRIBUTION}</p>
        </footer>
      )}
    </div>
  );
}
