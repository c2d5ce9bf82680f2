// Render every screen once on the server side to catch crashes in render
// paths (effects do not run here, so pages show their loading state).
import { describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import { ReactNode } from 'react';
import { AuthContext } from '../auth';
import type { User } from '../lib/types';
import { Layout } from '../components/Layout';
import { Landing } from './Landing';
import { Login } from './Login';
import { Register } from './Register';
import { Board } from './Board';
import { PostForm } from './PostForm';
import { PostDetail } from './PostDetail';
import { Chat } from './Chat';
import { Profile } from './Profile';
import { NotFound } from './NotFound';
import { safeNext } from './Login';

// Minimal browser globals used during render.
(globalThis as Record<string, unknown>).window ??= {
  location: { pathname: '/', search: '', protocol: 'http:', host: 'localhost' },
  addEventListener() {},
};
(globalThis as Record<string, unknown>).document ??= { title: '' };

const user: User = {
  id: 1,
  username: '밀버디',
  email: 'me@x.kr',
  address: '서울특별시 종로구 창신1동',
  range: 1,
  neighborhood: { code: '1111064000', name: '서울특별시 종로구 창신1동', lat: 37.57, lon: 127.01 },
};

function render(node: ReactNode, signedIn = true): string {
  return renderToString(
    <AuthContext.Provider value={{ user: signedIn ? user : null, setUser: () => {} }}>
      <Layout>{node}</Layout>
    </AuthContext.Provider>,
  );
}

describe('screens render', () => {
  it('landing shows the pitch, buttons and the data attribution', () => {
    const html = render(<Landing />, false);
    expect(html).toContain('회원가입');
    expect(html).toContain('로그인');
    expect(html).toContain('vuski/admdongkor, CC BY 4.0');
  });
  it('forms have labelled controls', () => {
    const reg = render(<Register />, false);
    for (const t of ['register-email', 'register-username', 'register-password', 'register-password2', 'address-input', '현재 위치 사용'])
      expect(reg).toContain(t);
    expect(render(<Login />, false)).toContain('login-submit');
  });
  it('signed-in screens render their loading or form state', () => {
    expect(render(<Board />)).toContain('category-all');
    expect(render(<Board />)).toContain('가까운 동네(1.5km)');
    expect(render(<PostForm />)).toContain('post-title');
    expect(render(<PostForm id="3" />)).toContain('loading');
    expect(render(<PostDetail id="3" />)).toContain('loading');
    expect(render(<Chat id="3" />)).toContain('loading');
    expect(render(<Profile />)).toContain('delete-account-button');
    expect(render(<NotFound />)).toContain('not-found');
  });
});

describe('safeNext', () => {
  it('only follows same-site paths', () => {
    expect(safeNext('/post/3/')).toBe('/post/3/');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('/\\evil')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
