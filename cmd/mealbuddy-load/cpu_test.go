package main

import (
	"os"
	"testing"
)

func TestStatTicks(t *testing.T) {
	for _, c := range []struct {
		name string
		stat string
		want int64
	}{
		// utime 700 + stime 42; the name holds a space and a parenthesis.
		{"odd name", "4242 (mealbuddy (x) y) S 1 4242 4242 0 -1 4194560 9152 0 0 0 700 42 0 0 20 0 14 0 517 1316491264 6214", 742},
		{"plain", "1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 5 6 7 8 20 0 1 0 3 100 10", 11},
		{"cut short", "1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 5", 0},
		{"no name", "garbage", 0},
	} {
		if got := statTicks([]byte(c.stat)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if cpuTicks(0) != 0 {
		t.Error("pid 0 has ticks")
	}
	// This process's own line parses (Linux): it has run its tests.
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		for n := 0; cpuTicks(os.Getpid()) == 0; n++ {
			if n > 1e9 {
				t.Fatal("no CPU time read for this process")
			}
		}
	}
}
