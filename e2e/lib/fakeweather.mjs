// A fake Open-Meteo on a loopback port for the board's weather row
// (serve --weather open-meteo --openmeteo-url <base>): always 21.5 °C, partly
// cloudy, now. The real binary makes the call, so the UI shows a real answer.
import { createServer } from 'node:http';

export async function startFakeWeather() {
  const server = createServer((req, res) => {
    if (!req.url.startsWith('/v1/forecast')) {
      res.writeHead(404).end();
      return;
    }
    const kst = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 16);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        utc_offset_seconds: 9 * 3600,
        current: {
          time: kst,
          temperature_2m: 21.5,
          relative_humidity_2m: 55,
          precipitation: 0,
          rain: 0,
          showers: 0,
          snowfall: 0,
          weather_code: 2,
          cloud_cover: 60,
          wind_speed_10m: 2.1,
        },
      }),
    );
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
