package weather

import (
	"testing"
	"time"

	_ "time/tzdata"
)

func TestGrid(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		nx, ny   int
	}{
		{"Seoul Jongno (original service)", 37.5760, 126.9690, 60, 127},
		{"Jeju (original service)", 33.5106, 126.5150, 52, 38},
		{"Busan City Hall", 35.1798, 129.0750, 98, 76},
		{"Seoul City Hall", 37.5665, 126.9780, 60, 127},
		{"Daejeon", 36.3504, 127.3845, 67, 100},
		{"grid origin", 38.0, 126.0, 43, 136},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nx, ny := Grid(tt.lat, tt.lon)
			if nx != tt.nx || ny != tt.ny {
				t.Errorf("Grid(%v, %v) = (%d, %d), want (%d, %d)", tt.lat, tt.lon, nx, ny, tt.nx, tt.ny)
			}
		})
	}
}

func TestBaseTime(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, kst) }
	tests := []struct {
		name       string
		now        time.Time
		date, time string
	}{
		{"00:05 uses previous day 2300", at(2024, 6, 1, 0, 5), "20240531", "2300"},
		{"01:59 uses previous day 2300", at(2024, 6, 1, 1, 59), "20240531", "2300"},
		{"02:09 not yet released", at(2024, 6, 1, 2, 9), "20240531", "2300"},
		{"02:10 released", at(2024, 6, 1, 2, 10), "20240601", "0200"},
		{"04:59", at(2024, 6, 1, 4, 59), "20240601", "0200"},
		{"05:10", at(2024, 6, 1, 5, 10), "20240601", "0500"},
		{"14:09", at(2024, 6, 1, 14, 9), "20240601", "1100"},
		{"15:20", at(2024, 6, 1, 15, 20), "20240601", "1400"},
		{"23:09", at(2024, 6, 1, 23, 9), "20240601", "2000"},
		{"23:59", at(2024, 6, 1, 23, 59), "20240601", "2300"},
		{"new year 00:05", at(2025, 1, 1, 0, 5), "20241231", "2300"},
		{"leap day 01:00", at(2024, 3, 1, 1, 0), "20240229", "2300"},
		{"UTC input 17:30Z is 02:30 KST", time.Date(2024, 6, 1, 17, 30, 0, 0, time.UTC), "20240602", "0200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, h := BaseTime(tt.now)
			if d != tt.date || h != tt.time {
				t.Errorf("BaseTime(%v) = %s %s, want %s %s", tt.now, d, h, tt.date, tt.time)
			}
		})
	}
}
