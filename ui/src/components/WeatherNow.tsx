import { ReactNode, useEffect, useState } from 'react';
import { api, ApiError, isAbort, qs } from '../lib/api';
import type { Coords } from '../lib/hooks';
import type { Weather } from '../lib/types';

export type WeatherState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ok'; data: Weather }
  | { kind: 'hidden' }
  | { kind: 'error'; text: string };

const SKY_ICON: Record<string, string> = { 맑음: '☀️', 구름많음: '⛅', 흐림: '☁️' };
const PTY_ICON: Record<string, string> = { 비: '🌧️', '비/눈': '🌨️', 눈: '❄️', 소나기: '🌦️' };

function weatherIcon(w: Weather): string {
  return PTY_ICON[w.강수형태] ?? SKY_ICON[w.날씨] ?? '🌤️';
}

/** Query string of a coordinate as the weather and menu routes take it. */
export function coordQuery(c: Coords): string {
  return qs({ lat: c.lat.toFixed(4), lon: c.lon.toFixed(4) });
}

/**
 * The current weather at coords (GET /api/openAPI/weather/), fetched again
 * when coords change; 'hidden' when the operator turned the weather off (404).
 */
export function useWeather(coords: Coords | null): WeatherState {
  const [weather, setWeather] = useState<WeatherState>({ kind: coords ? 'loading' : 'idle' });
  const lat = coords?.lat;
  const lon = coords?.lon;

  useEffect(() => {
    if (lat === undefined || lon === undefined) return;
    const ctl = new AbortController();
    setWeather({ kind: 'loading' });
    api<Weather>(`/api/openAPI/weather/${coordQuery({ lat, lon })}`, { signal: ctl.signal })
      .then((data) => setWeather({ kind: 'ok', data }))
      .catch((e) => {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 404) setWeather({ kind: 'hidden' });
        else setWeather({ kind: 'error', text: '날씨 정보를 가져오지 못했어요' });
      });
    return () => ctl.abort();
  }, [lat, lon]);
  return weather;
}

/**
 * The strip's one line: icon, temperature and sky, or a placeholder of the
 * same height while it loads (so nothing below it moves).
 */
export function WeatherSummary({ weather }: { weather: WeatherState }) {
  if (weather.kind === 'ok') {
    const w = weather.data;
    return (
      <span className="strip-weather" data-testid="weather-summary">
        <span aria-hidden="true">{weatherIcon(w)}</span> <strong>{w.기온}</strong> {w.날씨}
      </span>
    );
  }
  if (weather.kind === 'loading') return <span className="strip-weather strip-skeleton">날씨 불러오는 중…</span>;
  if (weather.kind === 'error') return <span className="strip-weather muted">날씨 정보 없음</span>;
  return null;
}

/**
 * The weather row of the expanded panel: the details of weather and, beside
 * them, children (the position button). Nothing when the weather is off.
 */
export function WeatherNow({ weather, place, children }: { weather: WeatherState; place: string; children?: ReactNode }) {
  if (weather.kind === 'hidden') return null;
  const w = weather.kind === 'ok' ? weather.data : null;
  return (
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
            {w.강수형태 !== '없음' ? ` · ${w.강수형태}` : ''}
          </span>
          <span className="muted small">
            습도 {w.습도} · 바람 {w.풍속}
            {w.강수량 !== '강수없음' ? ` · 강수 ${w.강수량}` : ''}
          </span>
          <span className="muted small">{place}</span>
        </div>
      )}
      {children}
    </div>
  );
}
