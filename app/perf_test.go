package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
)

func TestServePprofAddrLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6060", "[::]:0", "example.com:6060"} {
		t.Run(addr, func(t *testing.T) {
			err := serveMustFail(t, t.TempDir(), "--addr", "127.0.0.1:0", "--pprof-addr", addr)
			if !strings.Contains(err.Error(), "loopback") {
				t.Fatalf("error %q, want it to name loopback", err)
			}
		})
	}
}

func TestPprofOnLoopback(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := startPprof(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("status %d, body %.200q", resp.StatusCode, body)
	}
	if a, err := startPprof(ctx, "", slog.New(slog.DiscardHandler)); a != nil || err != nil {
		t.Fatalf(`startPprof(""): %v, %v; want nothing served`, a, err)
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "64MiB": 64 << 20, "512 KiB": 512 << 10, "1GiB": 1 << 30, "5MB": 5e6, "1234": 1234, "7B": 7} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1MiB", "64x", "1.5GiB", "MiB", "99999999999GiB"} {
		if got, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestApplyMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	log := slog.New(slog.DiscardHandler)

	t.Setenv("GOMEMLIMIT", "")
	applyMemoryLimit(PerfConfig{MemoryLimit: 48 << 20}, false, log)
	if got := debug.SetMemoryLimit(-1); got != 48<<20 {
		t.Fatalf("limit %d, want 48 MiB", got)
	}
	// GOMEMLIMIT (read by the runtime at start) wins over the default...
	t.Setenv("GOMEMLIMIT", "100MiB")
	debug.SetMemoryLimit(100 << 20) // what the runtime would have read
	applyMemoryLimit(PerfConfig{MemoryLimit: memoryLimitAuto}, false, log)
	if got := debug.SetMemoryLimit(-1); got != 100<<20 {
		t.Fatalf("limit %d, want GOMEMLIMIT's 100 MiB", got)
	}
	// auto without a cgroup limit leaves the limit alone.
	if cgroupMemoryMax() == 0 {
		t.Setenv("GOMEMLIMIT", "")
		debug.SetMemoryLimit(90 << 20)
		applyMemoryLimit(PerfConfig{MemoryLimit: memoryLimitAuto}, false, log)
		if got := debug.SetMemoryLimit(-1); got != 90<<20 {
			t.Fatalf("auto without a cgroup limit set %d", got)
		}
	}
	// The flag wins over GOMEMLIMIT.
	t.Setenv("GOMEMLIMIT", "100MiB")
	applyMemoryLimit(PerfConfig{MemoryLimit: 80 << 20}, true, log)
	if got := debug.SetMemoryLimit(-1); got != 80<<20 {
		t.Fatalf("limit %d, want the flag's 80 MiB", got)
	}
}

func TestServeFlagsPerf(t *testing.T) {
	cmd := NewRootCommand()
	serve, _, err := cmd.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	f := serve.Flags()
	if v := f.Lookup("memory-limit"); v == nil || v.DefValue != "auto" {
		t.Fatalf("--memory-limit: %+v, want default auto", v)
	}
	if err := f.Set("memory-limit", "256MiB"); err != nil {
		t.Fatal(err)
	}
	if v := f.Lookup("memory-limit").Value.String(); v != "256MiB" {
		t.Fatalf("--memory-limit 256MiB reads back %q", v)
	}
	if v := f.Lookup("pprof-addr"); v == nil || v.DefValue != "" {
		t.Fatalf("--pprof-addr: %+v, want off by default", v)
	}
	if v := f.Lookup("no-board-cache"); v == nil || !v.Hidden {
		t.Fatalf("--no-board-cache: %+v, want a hidden flag", v)
	}
}
