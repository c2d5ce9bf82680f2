import { FormEvent, useState } from 'react';
import { api, ApiError, errorMessage, path } from '../lib/api';
import type { Coords } from '../lib/hooks';
import { Link } from '../lib/router';
import type { ConversationTurn, FoodChoice } from '../lib/types';
import { formatDistance } from '../lib/format';
import { categoryLabel } from '../lib/constants';
import { coordQuery } from './WeatherNow';

/**
 * The menu assistant: a quick suggestion (GET /api/openAPI/foodchoicer/) and
 * follow-up questions (POST), with a reset (DELETE). coords, when known,
 * bring the weather into the answer.
 */
export function MenuAssistant({ coords }: { coords: Coords | null }) {
  const [hidden, setHidden] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [choice, setChoice] = useState<FoodChoice | null>(null);

  async function recommend() {
    setBusy(true);
    setError('');
    try {
      setChoice(await api<FoodChoice>(`/api/openAPI/foodchoicer/${coords ? coordQuery(coords) : ''}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setHidden(true);
      else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (hidden) return null;
  return (
    <div className="menu-reco">
      <button type="button" className="btn btn-accent" onClick={recommend} disabled={busy} data-testid="menu-recommend">
        {busy ? '고르는 중…' : '🍽️ 메뉴 추천'}
      </button>
      {error && (
        <p className="field-errors" role="alert">
          {error}
        </p>
      )}
      {choice && (
        <div className="reco" data-testid="menu-result">
          <Suggestions choice={choice} />
          <AskForm coords={coords} />
        </div>
      )}
    </div>
  );
}

function Suggestions({ choice }: { choice: FoodChoice }) {
  return (
    <>
      <p className="reco-reply">{choice.reply}</p>
      <ol className="reco-list">
        {choice.suggestions.slice(0, 5).map((s, i) => (
          <li key={`${s.menu}-${i}`}>
            <strong>{s.menu}</strong> <span className="cat">{categoryLabel(s.category)}</span>
            <p className="muted small">{s.reason}</p>
            {s.open_posts.length > 0 && (
              <ul className="reco-posts">
                {s.open_posts.map((p) => (
                  <li key={p.id}>
                    <Link to={path`/post/${p.id}/`}>
                      {p.title} ({p.join_number}/{p.target_number}
                      {formatDistance(p.distance_km) ? ` · ${formatDistance(p.distance_km)}` : ''})
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

function AskForm({ coords }: { coords: Coords | null }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function ask(e: FormEvent) {
    e.preventDefault();
    const message = question.trim();
    if (!message) return;
    setBusy(true);
    setError('');
    try {
      const turns = await api<ConversationTurn[]>('/api/openAPI/foodchoicer/', {
        method: 'POST',
        body: coords ? { message, lat: coords.lat, lon: coords.lon } : { message },
      });
      // The answer ends with the assistant's turn.
      setAnswer(turns[turns.length - 1].content);
      setQuestion('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function reset() {
    setError('');
    try {
      await api('/api/openAPI/foodchoicer/', { method: 'DELETE' });
      setAnswer('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <form className="ask" onSubmit={ask}>
      <label htmlFor="food-question">더 물어보기</label>
      <div className="row">
        <input
          id="food-question"
          type="text"
          maxLength={200}
          value={question}
          placeholder="예: 매운 건 빼고 추천해 줘"
          onChange={(e) => setQuestion(e.target.value)}
          data-testid="food-question"
        />
        <button type="submit" className="btn" disabled={busy || !question.trim()}>
          {busy ? '묻는 중…' : '묻기'}
        </button>
      </div>
      {error && (
        <p className="field-errors" role="alert" data-testid="food-error">
          {error}
        </p>
      )}
      {answer && (
        <div className="reco-answer" aria-live="polite" data-testid="food-answer">
          <p>{answer}</p>
          <button type="button" className="btn btn-ghost btn-sm" onClick={reset}>
            대화 초기화
          </button>
        </div>
      )}
    </form>
  );
}
