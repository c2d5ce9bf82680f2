// Package seoul holds the one Asia/Seoul time zone the program uses: the
// menu assistant's service day, the recommender's and the prompt's local
// time and the KMA forecast's base times all read it.
package seoul

import "time"

// Zone is Asia/Seoul. The binary embeds time/tzdata, so loading it only
// fails in a test binary on a host without zone data; Korea has had no
// daylight saving time since 1988, so the fixed +09:00 fallback is exact for
// current dates.
var Zone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return loc
	}
	return time.FixedZone("KST", 9*60*60)
}()
