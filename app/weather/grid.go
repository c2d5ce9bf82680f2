package weather

import (
	"math"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/seoul"
)

// Parameters of the KMA's Lambert conformal conic grid (동네예보 격자).
const (
	gridRe    = 6371.00877 // earth radius, km
	gridCell  = 5.0        // cell size, km
	gridSlat1 = 30.0       // standard parallel 1, degrees
	gridSlat2 = 60.0       // standard parallel 2, degrees
	gridOlon  = 126.0      // origin longitude, degrees
	gridOlat  = 38.0       // origin latitude, degrees
	gridXo    = 43.0       // origin grid x
	gridYo    = 136.0      // origin grid y
)

// Grid converts a WGS84 position to the KMA forecast grid, as the KMA's own
// reference code does (rounding with floor(v+0.5)). 37.5760,126.9690 is (60, 127).
func Grid(lat, lon float64) (nx, ny int) {
	const deg = math.Pi / 180
	re := gridRe / gridCell
	slat1, slat2 := gridSlat1*deg, gridSlat2*deg
	olon, olat := gridOlon*deg, gridOlat*deg

	sn := math.Tan(math.Pi*0.25+slat2*0.5) / math.Tan(math.Pi*0.25+slat1*0.5)
	sn = math.Log(math.Cos(slat1)/math.Cos(slat2)) / math.Log(sn)
	sf := math.Tan(math.Pi*0.25 + slat1*0.5)
	sf = math.Pow(sf, sn) * math.Cos(slat1) / sn
	ro := math.Tan(math.Pi*0.25 + olat*0.5)
	ro = re * sf / math.Pow(ro, sn)

	ra := math.Tan(math.Pi*0.25 + lat*deg*0.5)
	ra = re * sf / math.Pow(ra, sn)
	theta := lon*deg - olon
	if theta > math.Pi {
		theta -= 2 * math.Pi
	}
	if theta < -math.Pi {
		theta += 2 * math.Pi
	}
	theta *= sn
	x := ra*math.Sin(theta) + gridXo
	y := ro - ra*math.Cos(theta) + gridYo
	return int(math.Floor(x + 0.5)), int(math.Floor(y + 0.5))
}

// releaseDelay is how long after its nominal base time a short-term forecast
// becomes available from the API (the KMA documents 02:10 for base 0200).
const releaseDelay = 10 * time.Minute

// BaseTime returns the base_date (YYYYMMDD) and base_time (HHMM) of the latest
// short-term forecast released at now. Forecasts are issued at 02, 05, 08, 11,
// 14, 17, 20 and 23 KST; before 02:10 KST the latest is the previous day's 2300.
func BaseTime(now time.Time) (baseDate, baseTime string) {
	t := now.In(seoul.Zone).Add(-releaseDelay)
	h := t.Hour()
	if h < 2 {
		t = t.AddDate(0, 0, -1)
		h = 23
	} else {
		h = (h-2)/3*3 + 2
	}
	return t.Format("20060102"), time.Date(2000, 1, 1, h, 0, 0, 0, time.UTC).Format("1504")
}
