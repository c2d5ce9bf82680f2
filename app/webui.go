package app

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// serveUI serves the embedded web app with explicit cache classes: hashed
// assets for a month (immutable), index.html and the service worker (sw.js)
// never cached without asking, other files an hour. Paths without an extension load the app so deep links work.
func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "허용되지 않은 요청 방식이에요.")
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if f, err := s.ui.Open(name); err == nil {
			st, err := f.Stat()
			if err == nil && !st.IsDir() {
				switch {
				case strings.HasPrefix(name, "assets/"):
					w.Header().Set("Cache-Control", "public, max-age=2592000, immutable")
				case name == "sw.js":
					// Browsers look for a new service worker on every
					// navigation; an hour's cache would delay a fix by that.
					w.Header().Set("Cache-Control", "no-cache")
				default:
					w.Header().Set("Cache-Control", "public, max-age=3600")
				}
				if ctype, ok := uiTypes[path.Ext(name)]; ok {
					w.Header().Set("Content-Type", ctype)
				}
				if s.serveGzipped(w, r, name) {
					f.Close()
					return
				}
				if rs, ok := f.(io.ReadSeeker); ok {
					http.ServeContent(w, r, name, time.Time{}, rs)
					f.Close()
					return
				}
			}
			f.Close()
		}
		if path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	index, err := fs.ReadFile(s.ui, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, uiMissingPage)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	index = s.withPostTags(r, index)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
}

// compressible lists the extensions worth gzipping; images are compressed
// already.
var compressible = map[string]bool{".js": true, ".css": true, ".svg": true, ".json": true, ".txt": true, ".html": true, ".webmanifest": true}

// uiTypes are the types mime.TypeByExtension may not know (it reads the
// system's tables): the web app manifest's own, which browsers expect.
var uiTypes = map[string]string{".webmanifest": "application/manifest+json"}

// serveGzipped answers a compressible file gzipped when the client takes
// gzip. The embedded files never change, so each is compressed once and kept.
func (s *Server) serveGzipped(w http.ResponseWriter, r *http.Request, name string) bool {
	if !compressible[path.Ext(name)] || !acceptsGzip(r) {
		return false
	}
	w.Header().Add("Vary", "Accept-Encoding")
	var body []byte
	if cached, ok := s.gzipped.Load(name); ok {
		body = cached.([]byte)
	} else {
		raw, err := fs.ReadFile(s.ui, name)
		if err != nil {
			return false
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(raw)
		zw.Close()
		body = buf.Bytes()
		s.gzipped.Store(name, body)
	}
	if w.Header().Get("Content-Type") == "" { // serveUI may have set it
		if ctype := mime.TypeByExtension(path.Ext(name)); ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}

// acceptsGzip reads Accept-Encoding: gzip listed without a zero weight
// ("gzip;q=0", "gzip; q=0.000" refuse it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(params), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q <= 0 {
				return false
			}
		}
		return true
	}
	return false
}

// uiMissingPage is served when the binary was built without `npm run build`.
const uiMissingPage = `<!doctype html><html lang="ko"><meta charset="utf-8"><title>MealBuddy</title>
<h1>밀버디 (MealBuddy)</h1><p>웹 화면이 이 바이너리에 포함되지 않았어요. <code>make build</code>로 다시 빌드해 주세요. API는 /api/ 에서 동작해요.</p></html>`
