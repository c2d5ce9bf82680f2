import { useState } from 'react';
import { useUser } from '../auth';
import { Coords, currentPosition } from '../lib/hooks';
import { MenuAssistant } from './MenuAssistant';
import { WeatherNow } from './WeatherNow';

/**
 * The board's panel: the weather (WeatherNow) and the menu assistant
 * (MenuAssistant), both at the user's neighbourhood or, on request, at the
 * device's position.
 */
export function WeatherPanel() {
  const user = useUser();
  const hood = user.neighborhood;
  const [gps, setGps] = useState<Coords | null>(null);
  const [gpsError, setGpsError] = useState('');
  const coords = gps ?? (hood ? { lat: hood.lat, lon: hood.lon } : null);

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
      <WeatherNow coords={coords} place={gps ? '현재 위치' : (hood?.name ?? '')}>
        {!gps && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={useGps}>
            현재 위치로 보기
          </button>
        )}
        {gpsError && <span className="field-errors small">{gpsError}</span>}
      </WeatherNow>
      <MenuAssistant coords={coords} />
    </section>
  );
}
