package app

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
)

// neighborhoodJSON is a neighbourhood as the API shows it.
type neighborhoodJSON struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Sido    string  `json:"sido,omitempty"`
	Sigungu string  `json:"sigungu,omitempty"`
	Dong    string  `json:"dong,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

func toNeighborhoodJSON(d neighborhood.Dong) *neighborhoodJSON {
	return &neighborhoodJSON{Code: d.Code, Name: d.Name, Sido: d.Sido, Sigungu: d.Sigungu, Dong: d.Dong, Lat: d.Lat, Lon: d.Lon}
}

// neighborhoodOf returns the neighbourhood of a code, nil for "" or unknown.
func (s *Server) neighborhoodOf(code string) *neighborhoodJSON {
	if code == "" {
		return nil
	}
	d, ok := s.dongs.ByCode(code)
	if !ok {
		return nil
	}
	return toNeighborhoodJSON(d)
}

const maxNeighborhoodQuery = 50

func (s *Server) handleSearchNeighborhoods(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	errs := fieldErrors{}
	if utf8.RuneCountInString(q) > maxNeighborhoodQuery {
		errs.add("q", "검색어는 50자 이하로 입력해 주세요.")
	}
	// A typed full address ("강남구 역삼동 123-4") still finds its dongs.
	opt := neighborhood.SearchOptions{Relaxed: true}
	if query := r.URL.Query(); query.Has("lat") || query.Has("lon") {
		// The browser's position, when it has one: nearest first.
		lat, lon := coordinates(r, errs)
		opt.Near = &neighborhood.Point{Lat: lat, Lon: lon}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	out := []*neighborhoodJSON{}
	if q != "" {
		for _, d := range s.dongs.Find(q, 20, opt) {
			out = append(out, toNeighborhoodJSON(d))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"neighborhoods": out})
}

func (s *Server) handleLocateNeighborhood(w http.ResponseWriter, r *http.Request) {
	errs := fieldErrors{}
	lat, lon := coordinates(r, errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	d, ok := s.dongs.Locate(lat, lon)
	if !ok {
		writeError(w, http.StatusNotFound, "이 위치에서 가까운 행정동을 찾을 수 없어요. 국내 위치에서 다시 시도해 주세요.")
		return
	}
	writeJSON(w, http.StatusOK, toNeighborhoodJSON(d))
}

// coordinates reads the required lat and lon query parameters.
func coordinates(r *http.Request, errs fieldErrors) (lat, lon float64) {
	q := r.URL.Query()
	parse := func(name string, limit float64) float64 {
		raw := q.Get(name)
		if strings.TrimSpace(raw) == "" {
			errs.add(name, msgRequired)
			return 0
		}
		v, ok := parseCoordinate(raw, limit)
		if !ok {
			errs.add(name, msgBadCoordinate)
		}
		return v
	}
	return parse("lat", 90), parse("lon", 180)
}

// parseCoordinate is the one parser of latitudes (limit 90) and longitudes
// (limit 180), from a query parameter or a body field: a decimal number
// within ±limit, surrounding spaces allowed; NaN and infinities are refused.
func parseCoordinate(text string, limit float64) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > limit {
		return 0, false
	}
	return v, true
}
