import { ReactNode } from 'react';
import { useAuth } from '../auth';
import { Link, useLocation } from '../lib/router';
import { ATTRIBUTION } from '../lib/constants';

export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const loc = useLocation();
  const path = loc.split('?')[0];
  const isChat = path.startsWith('/chat/');
  return (
    <div className={`app${isChat ? ' app-chat' : ''}`}>
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
                <Link to="/" aria-current={path === '/' ? 'page' : undefined}>
                  게시판
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
      <main id="main" tabIndex={-1} className="main">
        {children}
      </main>
      {!isChat && (
        <footer className="footer">
          <p>밀버디 — 이웃과 함께 시키고 배달비는 나눠요.</p>
          <p data-testid="attribution">{ATTRIBUTION}</p>
        </footer>
      )}
    </div>
  );
}
