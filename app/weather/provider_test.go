package weather

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testKey looks like a data.go.kr key: base64 with characters that need escaping.
const testKey = "Zx9+AbC/secretKEY12345=="

var kst = time.FixedZone("KST", 9*3600)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "weather", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fake serves body with status and records the requests it gets.
type fake struct {
	*httptest.Server
	hits  chan *http.Request
	delay time.Duration
}

func newFake(t *testing.T, status int, contentType string, body []byte) *fake {
	t.Helper()
	f := &fake{hits: make(chan *http.Request, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits <- r
		if f.delay > 0 {
			select {
			case <-time.After(f.delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) count() int { return len(f.hits) }

func assertUnavailable(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want ErrUnavailable")
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want it to wrap ErrUnavailable", err)
	}
	for _, form := range []string{testKey, url.QueryEscape(testKey), "secretKEY"} {
		if strings.Contains(err.Error(), form) {
			t.Fatalf("error text leaks the service key: %q", err.Error())
		}
	}
}

func TestKMA(t *testing.T) {
	now := func() time.Time { return time.Date(2024, 6, 1, 15, 20, 0, 0, kst) }

	t.Run("OK", func(t *testing.T) {
		f := newFake(t, 200, "application/json;charset=UTF-8", readTestdata(t, "kma_ok.json"))
		r, err := NewKMA(f.URL+"/", testKey, f.Client(), now).Current(context.Background(), 37.5760, 126.9690)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"강수형태": "없음", "날씨": "맑음", "강수량": "강수없음", "기온": "23℃", "습도": "60%", "풍속": "2.1m/s"}
		if got := r.Flat(); !maps.Equal(got, want) {
			t.Errorf("Flat() = %v, want %v", got, want)
		}
		if wantT := time.Date(2024, 6, 1, 6, 0, 0, 0, time.UTC); !r.Time.Equal(wantT) || r.Time.Location() != time.UTC {
			t.Errorf("Time = %v, want %v", r.Time, wantT)
		}
		if r.Provider != "kma" {
			t.Errorf("Provider = %q", r.Provider)
		}

		req := <-f.hits
		if req.URL.Path != "/getVilageFcst" {
			t.Errorf("path = %q", req.URL.Path)
		}
		q := req.URL.Query()
		for k, v := range map[string]string{
			"serviceKey": testKey, "pageNo": "1", "numOfRows": "1000", "dataType": "JSON",
			"base_date": "20240601", "base_time": "1400", "nx": "60", "ny": "127",
		} {
			if q.Get(k) != v {
				t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
			}
		}
	})

	t.Run("OKAlreadyEncodedKey", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "kma_ok.json"))
		if _, err := NewKMA(f.URL, url.QueryEscape(testKey), f.Client(), now).Current(context.Background(), 37.5760, 126.9690); err != nil {
			t.Fatal(err)
		}
		if got := (<-f.hits).URL.Query().Get("serviceKey"); got != testKey {
			t.Errorf("serviceKey = %q, want it decoded once to %q", got, testKey)
		}
	})

	t.Run("OKLaterSlot", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "kma_ok.json"))
		later := func() time.Time { return time.Date(2024, 6, 1, 16, 5, 0, 0, kst) }
		r, err := NewKMA(f.URL, testKey, f.Client(), later).Current(context.Background(), 37.5760, 126.9690)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"강수형태": "비", "날씨": "흐림", "강수량": "1mm 미만", "기온": "22℃", "습도": "75%", "풍속": "2.4m/s"}
		if got := r.Flat(); !maps.Equal(got, want) {
			t.Errorf("Flat() = %v, want %v", got, want)
		}
		if r.PrecipitationMM != 0.5 || !r.Wet() {
			t.Errorf("PrecipitationMM = %v, Wet = %v", r.PrecipitationMM, r.Wet())
		}
	})

	t.Run("OKPastAllSlotsUsesLast", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "kma_ok.json"))
		late := func() time.Time { return time.Date(2024, 6, 1, 22, 0, 0, 0, kst) }
		r, err := NewKMA(f.URL, testKey, f.Client(), late).Current(context.Background(), 37.5760, 126.9690)
		if err != nil {
			t.Fatal(err)
		}
		if r.Precipitation != PrecipShower || r.Sky != SkyCloudy || r.PrecipitationMM != 30 {
			t.Errorf("got %+v, want the 1800 slot (소나기, 구름많음, 30mm)", r)
		}
	})

	errorCases := []struct {
		name        string
		status      int
		contentType string
		file        string
		wantText    string
	}{
		{"ErrXMLEnvelopeWith200", 200, "text/xml;charset=UTF-8", "kma_error.xml", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"},
		{"ErrXMLEnvelopeWith401", 401, "text/xml", "kma_error.xml", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"},
		{"ErrNoData", 200, "application/json", "kma_nodata.json", "03 NO_DATA"},
		{"ErrMalformedJSON", 200, "application/json", "malformed.json", "decode"},
		{"ErrStatus500", 500, "text/plain", "", "status 500"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.file != "" {
				body = readTestdata(t, tc.file)
			}
			f := newFake(t, tc.status, tc.contentType, body)
			_, err := NewKMA(f.URL, testKey, f.Client(), now).Current(context.Background(), 37.5760, 126.9690)
			assertUnavailable(t, err)
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("err = %q, want it to mention %q", err, tc.wantText)
			}
		})
	}

	t.Run("ErrTimeout", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "kma_ok.json"))
		f.delay = 2 * time.Second
		client := &http.Client{Timeout: 50 * time.Millisecond}
		start := time.Now()
		_, err := NewKMA(f.URL, testKey, client, now).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
		if time.Since(start) > time.Second {
			t.Errorf("took %v; the client timeout was not honoured", time.Since(start))
		}
		// The *url.Error (which prints the URL, key included) is dropped, but
		// the nature of the failure stays inspectable.
		var ue *url.Error
		if errors.As(err, &ue) {
			t.Errorf("error chain still holds a *url.Error: %v", ue)
		}
		var te interface{ Timeout() bool }
		if !errors.As(err, &te) || !te.Timeout() {
			t.Errorf("err = %v, want a timeout in its chain", err)
		}
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		f := newFake(t, 200, "application/json", nil)
		base := f.URL
		f.Close()
		_, err := NewKMA(base, testKey, nil, now).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
	})

	t.Run("ErrBadBaseURLDoesNotLeakKey", func(t *testing.T) {
		_, err := NewKMA("http://[::1", testKey, nil, now).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
	})
}

func TestOpenMeteo(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newFake(t, 200, "application/json; charset=utf-8", readTestdata(t, "openmeteo_ok.json"))
		r, err := NewOpenMeteo(f.URL, f.Client()).Current(context.Background(), 37.5760, 126.9690)
		if err != nil {
			t.Fatal(err)
		}
		want := Report{
			Provider: "open-meteo", Time: time.Date(2024, 6, 1, 6, 15, 0, 0, time.UTC),
			TemperatureC: 24.3, Sky: SkyOvercast, Precipitation: PrecipRain,
			PrecipitationMM: 0.4, PrecipitationText: "0.4mm", HumidityPct: 55, WindMS: 3.2,
		}
		if r != want {
			t.Errorf("got  %+v\nwant %+v", r, want)
		}
		wantFlat := map[string]string{"강수형태": "비", "날씨": "흐림", "강수량": "0.4mm", "기온": "24.3℃", "습도": "55%", "풍속": "3.2m/s"}
		if got := r.Flat(); !maps.Equal(got, wantFlat) {
			t.Errorf("Flat() = %v, want %v", got, wantFlat)
		}
		req := <-f.hits
		q := req.URL.Query()
		if req.URL.Path != "/v1/forecast" || q.Get("latitude") != "37.5760" || q.Get("longitude") != "126.9690" ||
			q.Get("wind_speed_unit") != "ms" || q.Get("timezone") != "Asia/Seoul" ||
			!strings.Contains(q.Get("current"), "weather_code") {
			t.Errorf("request = %s", req.URL)
		}
	})

	t.Run("ErrStatus400", func(t *testing.T) {
		f := newFake(t, 400, "application/json", readTestdata(t, "openmeteo_error.json"))
		_, err := NewOpenMeteo(f.URL, f.Client()).Current(context.Background(), 137, 126.9690)
		assertUnavailable(t, err)
		if !strings.Contains(err.Error(), "Latitude must be") {
			t.Errorf("err = %q, want the upstream reason", err)
		}
	})

	t.Run("ErrMalformedJSON", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "malformed.json"))
		_, err := NewOpenMeteo(f.URL, f.Client()).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
	})

	t.Run("ErrNoCurrent", func(t *testing.T) {
		f := newFake(t, 200, "application/json", []byte(`{"latitude":37.58}`))
		_, err := NewOpenMeteo(f.URL, f.Client()).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
	})

	t.Run("ErrTimeout", func(t *testing.T) {
		f := newFake(t, 200, "application/json", readTestdata(t, "openmeteo_ok.json"))
		f.delay = 2 * time.Second
		_, err := NewOpenMeteo(f.URL, &http.Client{Timeout: 50 * time.Millisecond}).Current(context.Background(), 37.5760, 126.9690)
		assertUnavailable(t, err)
	})
}

func TestWMO(t *testing.T) {
	tests := []struct {
		code        int
		sky, precip string
	}{
		{0, SkyClear, PrecipNone}, {1, SkyClear, PrecipNone}, {2, SkyCloudy, PrecipNone},
		{3, SkyOvercast, PrecipNone}, {45, SkyOvercast, PrecipNone}, {48, SkyOvercast, PrecipNone},
		{51, SkyOvercast, PrecipRain}, {63, SkyOvercast, PrecipRain}, {66, SkyOvercast, PrecipRainSnow},
		{67, SkyOvercast, PrecipRainSnow}, {71, SkyOvercast, PrecipSnow}, {77, SkyOvercast, PrecipSnow},
		{80, SkyOvercast, PrecipShower}, {82, SkyOvercast, PrecipShower}, {85, SkyOvercast, PrecipSnow},
		{86, SkyOvercast, PrecipSnow}, {95, SkyOvercast, PrecipShower}, {99, SkyOvercast, PrecipShower},
	}
	for _, tt := range tests {
		if sky, p := wmo(tt.code, 0); sky != tt.sky || p != tt.precip {
			t.Errorf("wmo(%d) = %s, %s; want %s, %s", tt.code, sky, p, tt.sky, tt.precip)
		}
	}
}

func TestFlat(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		want map[string]string
	}{
		{"bare PCP number gets mm",
			Report{TemperatureC: -3.5, Sky: SkyOvercast, Precipitation: PrecipSnow, PrecipitationText: "2.0", HumidityPct: 90, WindMS: 4},
			map[string]string{"강수형태": "눈", "날씨": "흐림", "강수량": "2.0mm", "기온": "-3.5℃", "습도": "90%", "풍속": "4m/s"}},
		{"KMA range kept as given",
			Report{TemperatureC: 0, Sky: SkyCloudy, Precipitation: PrecipShower, PrecipitationText: "30.0~50.0mm", HumidityPct: 95, WindMS: 0.5},
			map[string]string{"강수형태": "소나기", "날씨": "구름많음", "강수량": "30.0~50.0mm", "기온": "0℃", "습도": "95%", "풍속": "0.5m/s"}},
		{"zero value",
			Report{},
			map[string]string{"강수형태": "없음", "날씨": "", "강수량": "강수없음", "기온": "0℃", "습도": "0%", "풍속": "0m/s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Flat(); !maps.Equal(got, tt.want) {
				t.Errorf("Flat() = %v, want %v", got, tt.want)
			}
		})
	}
}
