import { FormEvent, useEffect, useState } from 'react';
import { useUser } from '../auth';
import { api, ApiError, errorMessage, qs } from '../lib/api';
import { Coords, currentPosition } from '../lib/hooks';
import { Link } from '../lib/router';
import type { ConversationTurn, FoodChoice, Weather } from '../lib/types';
import { formatDistance } from '../lib/format';

type WeatherState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ok'; data: Weather }
  | { kind: 'hidden' }
  | { kind: 'error'; text: string };

const SKY_ICON: Record<string, string> = { 맑음: '☀️', 구름많음: '⛅', 흐림: '☁️' };
const PTY_ICON: Record<string, string> = { 비: '🌧️', '비/눈': '🌨️', 눈: '❄️', 소나기: '🌦️' };

function weatherIcon(w: Weather): string {
  if (w.강수형태 && PTY_ICON[w.강수형태]) return PTY_ICON[w.강수형태];
  return (w.날씨 && SKY_ICON[w.날씨]) || '🌤️';
}

export function WeatherPanel() {
  const user = useUser();
  const centroid: Coords | null = user.neighborhood ? { lat: user.neighborhood.lat, lon: user.neighborhood.lon } : null;
  const [coords, setCoords] = useState<Coords | null>(centroid);
  const [usingGps, setUsingGps] = useState(false);
  const [gpsError, setGpsError] = useState('');
  const [weather, setWeather] = useState<WeatherState>({ kind: 'idle' });

  const [menuBusy, setMenuBusy] = useState(false);
  const [menuError, setMenuError] = useState('');
  const [menuHidden, setMenuHidden] = useState(false);
  const [choice, setChoice] = useState<FoodChoice | null>(null);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [askBusy, setAskBusy] = useState(false);
  const [askError, setAskError] = useState('');

  useEffect(() => {
    if (!coords) return;
    const ctl = new AbortController();
    setWeather({ kind: 'loading' });
    api<Weather>(`/api/openAPI/weather/${qs({ lat: coords.lat.toFixed(4), lon: coords.lon.toFixed(4) })}`, {
      signal: ctl.signal,
    })
      .then((data) => setWeather({ kind: 'ok', data }))
      .catch((e) => {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) setWeather({ kind: 'hidden' });
        else setWeather({ kind: 'error', text: '날씨 정보를 가져오지 못했어요' });
      });
    return () => ctl.abort();
  }, [coords?.lat, coords?.lon]);

  async function useGps() {
    setGpsError('');
    try {
      const c = await currentPosition();
      setCoords(c);
      setUsingGps(true);
    } catch (e) {
      setGpsError(e instanceof Error ? e.message : '현재 위치를 가져오지 못했어요.');
    }
  }

  const coordQs = coords ? { lat: coords.lat.toFixed(4), lon: coords.lon.toFixed(4) } : {};

  async function recommend() {
    setMenuBusy(true);
    setMenuError('');
    try {
      setChoice(await api<FoodChoice>(`/api/openAPI/foodchoicer/${qs(coordQs)}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setMenuHidden(true);
      else setMenuError(errorMessage(e));
    } finally {
      setMenuBusy(false);
    }
  }

  async function ask(e: FormEvent) {
    e.preventDefault();
    const message = question.trim();
    if (!message) return;
    setAskBusy(true);
    setAskError('');
    try {
      const turns = await api<ConversationTurn[]>('/api/openAPI/foodchoicer/', {
        method: 'POST',
        body: { message, lat: coords?.lat ?? null, lon: coords?.lon ?? null },
      });
      const last = Array.isArray(turns) ? [...turns].reverse().find((t) => t.role === 'assistant') : undefined;
      setAnswer(last?.content ?? '');
      setQuestion('');
    } catch (err) {
      setAskError(errorMessage(err));
    } finally {
      setAskBusy(false);
    }
  }

  async function resetChat() {
    setAskError('');
    try {
      await api('/api/openAPI/foodchoicer/', { method: 'DELETE' });
      setAnswer('');
    } catch (err) {
      setAskError(errorMessage(err));
    }
  }

  const w = weather.kind === 'ok' ? weather.data : null;

  return (
    <section className="panel weather" aria-labelledby="weather-title" data-testid="weather-panel">
      <h2 id="weather-title" className="sr-only">
        오늘의 날씨와 메뉴 추천
      </h2>
      {weather.kind !== 'hidden' && (
        <div className="weather-row">
          {weather.kind === 'loading' && (
            <span className="muted" role="status">
              날씨를 불러오는 중…
            </span>
          )}
          {weather.kind === 'error' && (
            <span className="muted small" data-testid="weather-error">
              {weather.text}
            </span>
          )}
          {w && (
            <div className="weather-now" data-testid="weather-now">
              <span className="weather-icon" aria-hidden="true">
                {weatherIcon(w)}
              </span>
              <span className="weather-temp">{w.기온}</span>
              <span>
                {w.날씨}
                {w.강수형태 && w.강수형태 !== '없음' ? ` · ${w.강수형태}` : ''}
              </span>
              <span className="muted small">
                습도 {w.습도} · 바람 {w.풍속}
                {w.강수량 && w.강수량 !== '강수없음' ? ` · 강수 ${w.강수량}` : ''}
              </span>
              <span className="muted small">{usingGps ? '현재 위치' : user.neighborhood?.name}</span>
            </div>
          )}
          {!usingGps && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={useGps}>
              현재 위치로 보기
            </button>
          )}
          {gpsError && <span className="field-errors small">{gpsError}</span>}
        </div>
      )}

      {!menuHidden && (
        <div className="menu-reco">
          <button
            type="button"
            className="btn btn-accent"
            onClick={recommend}
            disabled={menuBusy}
            data-testid="menu-recommend"
          >
            {menuBusy ? '고르는 중…' : '🍽️ 메뉴 추천'}
          </button>
          {menuError && (
            <p className="field-errors" role="alert">
              {menuError}
            </p>
          )}
          {choice && (
            <div className="reco" data-testid="menu-result">
              <p className="reco-reply">{choice.reply}</p>
              <ol className="reco-list">
                {(choice.suggestions ?? []).slice(0, 5).map((s, i) => (
                  <li key={`${s.menu}-${i}`}>
                    <strong>{s.menu}</strong> <span className="cat">{s.category}</span>
                    <p className="muted small">{s.reason}</p>
                    {s.open_posts?.length > 0 && (
                      <ul className="reco-posts">
                        {s.open_posts.map((p) => (
                          <li key={p.id}>
                            <Link to={`/post/${p.id}/`}>
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
                  <button type="submit" className="btn" disabled={askBusy || !question.trim()}>
                    {askBusy ? '묻는 중…' : '묻기'}
                  </button>
                </div>
                {askError && (
                  <p className="field-errors" role="alert" data-testid="food-error">
                    {askError}
                  </p>
                )}
                {answer && (
                  <div className="reco-answer" aria-live="polite" data-testid="food-answer">
                    <p>{answer}</p>
                    <button type="button" className="btn btn-ghost btn-sm" onClick={resetChat}>
                      대화 초기화
                    </button>
                  </div>
                )}
              </form>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
