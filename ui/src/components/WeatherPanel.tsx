import { useId, useState } from 'react';
import { useUser } from '../auth';
import { Coords, currentPosition } from '../lib/hooks';
import { placeName } from '../lib/format';
import { MenuAssistant } from './MenuAssistant';
import { useWeather, WeatherNow, WeatherSummary } from './WeatherNow';

/** Wide screens start with the panel open; phones with the one-line strip. */
function startsOpen(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(min-width: 720px)').matches
    : false;
}

/**
 * The board's panel: the weather (WeatherNow) and the menu assistant
 * (MenuAssistant), both at the user's neighbourhood or, on request, at the
 * device's position. Closed, it is one line of fixed height (the weather in
 * brief and "메뉴 추천") that opens on tap, so the first post stays above
 * the fold on a phone and nothing below moves when the weather arrives.
 */
export function WeatherPanel() {
  const user = useUser();
  const hood = user.neighborhood;
  const [open, setOpen] = useState(startsOpen);
  const [gps, setGps] = useState<Coords | null>(null);
  const [gpsError, setGpsError] = useState('');
  const coords = gps ?? (hood ? { lat: hood.lat, lon: hood.lon } : null);
  const weather = useWeather(coords);
  const bodyId = useId();

  async function useGps() {
    setGpsError('');
    try {
      setGps(await currentPosition());
    } catch (e) {
      setGpsError(e instanceof Error ? e.message : '현재 위치를 가져오지 못했어요.');
    }
  }

  return (
    <section className="panel weather" aria-labelledby="weather-title" data-testid="weather-panel">
      <h2 id="weather-title" className="sr-only">
        오늘의 날씨와 메뉴 추천
      </h2>
      <button
        type="button"
        className="weather-strip"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen((o) => !o)}
        data-testid="weather-toggle"
      >
        <WeatherSummary weather={weather} />
        <span className="strip-place">{gps ? '현재 위치' : hood ? placeName(hood.name, 1) : ''}</span>
        <span className="strip-menu">🍽️ 메뉴 추천</span>
        <span className="strip-chevron" aria-hidden="true">
          {open ? '▴' : '▾'}
        </span>
      </button>
      <div id={bodyId} className="weather-body" hidden={!open} data-testid="weather-body">
        <WeatherNow weather={weather} place={gps ? '현재 위치' : (hood?.name ?? '')}>
          {!gps && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={useGps}>
              현재 위치로 보기
            </button>
          )}
          {gpsError && <span className="field-errors small">{gpsError}</span>}
        </WeatherNow>
        <MenuAssistant coords={coords} />
      </div>
    </section>
  );
}
