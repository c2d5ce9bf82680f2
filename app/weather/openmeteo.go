package weather

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultOpenMeteoURL is the base URL of the keyless Open-Meteo forecast API.
const DefaultOpenMeteoURL = "https://api.open-meteo.com"

type openMeteo struct {
	base   string
	client *http.Client
}

// NewOpenMeteo returns a Provider backed by Open-Meteo's current conditions.
// baseURL defaults to DefaultOpenMeteoURL and client to DefaultClient().
func NewOpenMeteo(baseURL string, client *http.Client) Provider {
	if baseURL == "" {
		baseURL = DefaultOpenMeteoURL
	}
	if client == nil {
		client = DefaultClient()
	}
	return &openMeteo{base: strings.TrimRight(baseURL, "/"), client: client}
}

type omAnswer struct {
	UTCOffsetSeconds int `json:"utc_offset_seconds"`
	Current          *struct {
		Time          string   `json:"time"`
		Temperature   *float64 `json:"temperature_2m"`
		Humidity      float64  `json:"relative_humidity_2m"`
		Precipitation float64  `json:"precipitation"`
		Rain          float64  `json:"rain"`
		Showers       float64  `json:"showers"`
		Snowfall      float64  `json:"snowfall"`
		WeatherCode   int      `json:"weather_code"`
		CloudCover    float64  `json:"cloud_cover"`
		WindSpeed     float64  `json:"wind_speed_10m"`
	} `json:"current"`
	Error  bool   `json:"error"`
	Reason string `json:"reason"`
}

func (o *openMeteo) Current(ctx context.Context, lat, lon float64) (Report, error) {
	q := url.Values{}
	q.Set("latitude", strconv.FormatFloat(lat, 'f', 4, 64))
	q.Set("longitude", strconv.FormatFloat(lon, 'f', 4, 64))
	q.Set("current", "temperature_2m,relative_humidity_2m,precipitation,rain,showers,snowfall,weather_code,cloud_cover,wind_speed_10m")
	q.Set("wind_speed_unit", "ms")
	q.Set("timezone", "Asia/Seoul")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.base+"/v1/forecast?"+q.Encode(), nil)
	if err != nil {
		return Report{}, unavailable("open-meteo: build request", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return Report{}, unavailable("open-meteo: request", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Report{}, unavailable("open-meteo: read body", err)
	}
	var a omAnswer
	jerr := json.Unmarshal(body, &a)
	if resp.StatusCode < 200 || resp.StatusCode > 299 || a.Error {
		what := fmt.Sprintf("open-meteo: status %d", resp.StatusCode)
		if a.Reason != "" {
			what += ": " + a.Reason
		}
		return Report{}, unavailable(what, nil)
	}
	if jerr != nil {
		return Report{}, unavailable("open-meteo: decode answer", jerr)
	}
	if a.Current == nil || a.Current.Temperature == nil {
		return Report{}, unavailable("open-meteo: answer without current conditions", nil)
	}
	c := a.Current
	loc := time.FixedZone("", a.UTCOffsetSeconds)
	at, err := time.ParseInLocation("2006-01-02T15:04", c.Time, loc)
	if err != nil {
		return Report{}, unavailable("open-meteo: current.time", err)
	}
	r := Report{
		Provider:        "open-meteo",
		Time:            at.UTC(),
		TemperatureC:    *c.Temperature,
		PrecipitationMM: c.Precipitation,
		HumidityPct:     c.Humidity,
		WindMS:          c.WindSpeed,
	}
	r.Sky, r.Precipitation = wmo(c.WeatherCode, c.CloudCover)
	if r.Precipitation == PrecipNone && c.Precipitation > 0 {
		// The code describes the sky; the amounts say something is falling.
		switch {
		case c.Snowfall > 0 && c.Rain+c.Showers > 0:
			r.Precipitation = PrecipRainSnow
		case c.Snowfall > 0:
			r.Precipitation = PrecipSnow
		case c.Showers > 0:
			r.Precipitation = PrecipShower
		default:
			r.Precipitation = PrecipRain
		}
	}
	if c.Precipitation > 0 {
		r.PrecipitationText = num(c.Precipitation) + "mm"
	} else {
		r.PrecipitationText = precipNoneText
	}
	return r, nil
}

// wmo maps a WMO weather interpretation code to the KMA's sky and
// precipitation vocabulary. Any precipitation implies an overcast sky.
func wmo(code int, cloudCover float64) (sky, precip string) {
	switch {
	case code == 0 || code == 1:
		return SkyClear, PrecipNone
	case code == 2:
		return SkyCloudy, PrecipNone
	case code == 3 || code == 45 || code == 48:
		return SkyOvercast, PrecipNone
	case code >= 51 && code <= 55, code >= 61 && code <= 65:
		return SkyOvercast, PrecipRain
	case code == 56 || code == 57 || code == 66 || code == 67:
		return SkyOvercast, PrecipRainSnow // freezing drizzle and rain
	case code >= 71 && code <= 77, code == 85 || code == 86:
		return SkyOvercast, PrecipSnow
	case code >= 80 && code <= 82, code >= 95 && code <= 99:
		return SkyOvercast, PrecipShower // showers and thunderstorms
	}
	// Unknown code: fall back on cloud cover, as the KMA's SKY does.
	switch {
	case cloudCover <= 50:
		return SkyClear, PrecipNone
	case cloudCover <= 80:
		return SkyCloudy, PrecipNone
	}
	return SkyOvercast, PrecipNone
}
