package app

import (
	"math"
	"testing"
)

// TestParseCoordinate covers the one coordinate parser behind the weather,
// menu and locate routes (query parameters and body fields alike).
func TestParseCoordinate(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit float64
		want  float64
		ok    bool
	}{
		{"37.5760", 90, 37.576, true},
		{" -33.5 ", 90, -33.5, true},
		{"90", 90, 90, true},
		{"180", 180, 180, true},
		{"90.0001", 90, 0, false},
		{"-181", 180, 0, false},
		{"NaN", 90, 0, false},
		{"Inf", 180, 0, false},
		{"-Inf", 180, 0, false},
		{"1e400", 180, 0, false},
		{"37,5", 90, 0, false},
		{"", 90, 0, false},
		{"서울", 90, 0, false},
	} {
		got, ok := parseCoordinate(c.in, c.limit)
		if ok != c.ok || (ok && math.Abs(got-c.want) > 1e-12) {
			t.Errorf("parseCoordinate(%q, %v) = %v, %v; want %v, %v", c.in, c.limit, got, ok, c.want, c.ok)
		}
	}
}
