import { useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { useApi } from '../lib/hooks';
import type { UserRef } from '../lib/types';

/** 차단한 사용자: the users I blocked, each with 차단 해제 (unblock). */
export function BlockList() {
  const { data, error, reload } = useApi<{ blocks: UserRef[] }>('/api/user/blocks/');
  const [msg, setMsg] = useState('');
  async function unblock(u: UserRef) {
    setMsg('');
    try {
      await api('/api/user/blocks/', { method: 'DELETE', body: { user_id: u.id } });
      setMsg(`${u.username}님의 차단을 풀었어요.`);
      reload();
    } catch (e) {
      setMsg(errorMessage(e));
    }
  }
  return (
    <section className="panel" aria-labelledby="blocks-title" data-testid="block-list">
      <h2 id="blocks-title">차단한 사용자</h2>
      {msg && (
        <p className="alert alert-info" role="status">
          {msg}
        </p>
      )}
      {error ? (
        <p className="alert alert-error">{error.message}</p>
      ) : !data?.blocks.length ? (
        <p className="muted">차단한 사용자가 없어요. 글 아래의 🚫 작성자 차단으로 차단할 수 있어요.</p>
      ) : (
        <ul className="admin-list">
          {data.blocks.map((u) => (
            <li key={u.id} className="admin-item row">
              <span>{u.username}</span>
              <button type="button" className="btn btn-ghost" onClick={() => unblock(u)} data-testid="unblock-button">
                차단 해제
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
