package app

// Performance switches of serve: the Go runtime's soft memory limit, the
// profiler on a loopback address, and the board cache off for measuring.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// PerfConfig holds serve's performance switches.
type PerfConfig struct {
	// MemoryLimit (--memory-limit) is the Go runtime's soft memory limit
	// in bytes: past it the collector runs more often and returns freed
	// memory to the system. memoryLimitAuto (the default) is three
	// quarters of the process's cgroup memory limit when it has one
	// (containers, systemd MemoryMax=), else none; 0 is none. GOMEMLIMIT
	// in the environment wins over the default but not over the flag.
	MemoryLimit int64
	// PprofAddr (--pprof-addr) serves net/http/pprof on a loopback
	// address; "" (the default) serves no profiler.
	PprofAddr string
}

// memoryLimitAuto: three quarters of the cgroup's memory limit, or none.
//
// Not a fixed small limit: the server's live memory grows with its open
// chat sockets (about 40 KiB each; 5,000 sockets hold 200 MB), and a limit
// below the live heap makes the collector run back to back — a 64 MiB
// limit delivered 7 % of the messages of 1,000 rooms × 5 (issue 11). The
// memory of a login burst is returned by the hasher itself (password.go).
const memoryLimitAuto = -1

// addPerfFlags adds --memory-limit, --pprof-addr and the hidden
// --no-board-cache.
func addPerfFlags(f *pflag.FlagSet, cfg *Config) {
	cfg.Perf.MemoryLimit = memoryLimitAuto
	f.Var(byteSize{&cfg.Perf.MemoryLimit}, "memory-limit", "soft limit of the Go runtime's memory, e.g. 256MiB; auto: 3/4 of the cgroup's memory limit when there is one; 0: none (GOMEMLIMIT in the environment replaces the default)")
	f.StringVar(&cfg.Perf.PprofAddr, "pprof-addr", "", "serve the Go profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060 (default: off)")
	f.BoolVar(&cfg.NoBoardCache, "no-board-cache", false, "render every board view from the database (measurements only)")
	_ = f.MarkHidden("no-board-cache")
}

// applyMemoryLimit sets the runtime's soft memory limit: the flag when
// given, else GOMEMLIMIT when set (the runtime read it at start), else the
// default.
func applyMemoryLimit(p PerfConfig, flagGiven bool, log *slog.Logger) {
	if !flagGiven && os.Getenv("GOMEMLIMIT") != "" {
		log.Info("memory limit from GOMEMLIMIT", "bytes", debug.SetMemoryLimit(-1))
		return
	}
	limit := p.MemoryLimit
	if limit == memoryLimitAuto {
		limit = cgroupMemoryMax() / 4 * 3
	}
	if limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit", "bytes", limit)
}

// cgroupMemoryMax is the memory limit of the process's cgroup (v2), 0 when
// it has none or it cannot be read.
func cgroupMemoryMax() int64 {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		path, ok := strings.CutPrefix(line, "0::")
		if !ok {
			continue
		}
		raw, err := os.ReadFile("/sys/fs/cgroup" + strings.TrimSpace(path) + "/memory.max")
		if err != nil {
			return 0
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
		if err != nil { // "max"
			return 0
		}
		return n
	}
	return 0
}

// startPprof serves the profiler on addr until ctx is done and returns
// the bound address (nil when addr is ""). Only a loopback address is
// accepted: profiles show request paths and memory.
func startPprof(ctx context.Context, addr string, log *slog.Logger) (net.Addr, error) {
	if addr == "" {
		return nil, nil
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("profiler listening", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Warn("profiler stopped", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { srv.Close() })
	return ln.Addr(), nil
}

// checkLoopback refuses an address that is not a loopback IP or localhost.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof-addr %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--pprof-addr %q: only a loopback address (127.0.0.1, [::1], localhost) may serve the profiler", addr)
	}
	return nil
}

// byteSize is a pflag.Value of a byte count: 64MiB, 512KiB, 1GiB, 1e6 or
// 0.
type byteSize struct{ p *int64 }

func (b byteSize) String() string {
	if b.p == nil {
		return "0"
	}
	n := *b.p
	switch {
	case n == memoryLimitAuto:
		return "auto"
	case n != 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n != 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n != 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprint(n)
}

func (b byteSize) Set(s string) error {
	if strings.TrimSpace(s) == "auto" {
		*b.p = memoryLimitAuto
		return nil
	}
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b.p = n
	return nil
}

func (byteSize) Type() string { return "bytes" }

func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q: a size like 64MiB, 512MB or 0", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return n * mult, nil
}
