package app

import (
	"context"
	"net/http"
	"time"
)

// Health endpoints for container HEALTHCHECKs, systemd and load balancers.
// They are open (no login) and answer JSON. They name no file paths and no
// error texts: the server log has those.

// handleLivez answers 200 while the process serves HTTP at all.
func (s *Server) handleLivez(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// healthCheck is one line of /readyz's details.
type healthCheck struct {
	Status      string     `json:"status"` // ok, fail or off
	Current     *int64     `json:"current,omitempty"`
	Latest      *int64     `json:"latest,omitempty"`
	Every       string     `json:"every,omitempty"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastFailure *time.Time `json:"last_failure,omitempty"`
	Failures    uint64     `json:"failures,omitempty"`
}

type readyResponse struct {
	Status string                 `json:"status"` // ok or fail
	Checks map[string]healthCheck `json:"checks"`
}

// readiness runs the checks of /readyz: the database answers a query, every
// migration this binary knows is applied, and the last scheduled backup (if
// any) did not fail.
func (s *Server) readiness(ctx context.Context) readyResponse {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	res := readyResponse{Status: "ok", Checks: map[string]healthCheck{}}
	set := func(name string, c healthCheck) {
		if c.Status == "fail" {
			res.Status = "fail"
		}
		res.Checks[name] = c
	}

	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("readyz: database", "err", err)
		set("database", healthCheck{Status: "fail"})
	} else {
		set("database", healthCheck{Status: "ok"})
	}

	if v, err := s.store.SchemaVersion(ctx); err != nil {
		s.log.Error("readyz: migrations", "err", err)
		set("migrations", healthCheck{Status: "fail"})
	} else {
		c := healthCheck{Status: "ok", Current: &v.Current, Latest: &v.Latest}
		if v.Current != v.Latest {
			c.Status = "fail"
		}
		set("migrations", c)
	}

	b := s.backups.snapshot(s.cfg.Ops.BackupEvery > 0)
	c := healthCheck{Status: "off", Failures: b.Failures}
	if b.Scheduled {
		c.Status, c.Every = "ok", s.cfg.Ops.BackupEvery.String()
		if b.Failing {
			c.Status = "fail"
		}
	}
	if !b.LastSuccess.IsZero() {
		c.LastSuccess = &b.LastSuccess
	}
	if !b.LastFailure.IsZero() {
		c.LastFailure = &b.LastFailure
	}
	set("backup", c)
	return res
}

// handleReadyz answers 200 when every check passes, else 503, with the
// details either way.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	res := s.readiness(r.Context())
	status := http.StatusOK
	if res.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, res)
}
