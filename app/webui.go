package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"regexp"
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
	if name == routeChunksFile {
		http.NotFound(w, r)
		return
	}
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
	index = withPreloads(s.preloads, r.URL.EscapedPath(), index)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
}

// routeChunksFile is written by the UI build (ui/vite.config.ts): for each
// route of a screen that comes in its own chunk, the chunk files that screen
// needs beyond those index.html loads. It is read once, at start, and not
// served: it is the server's, not the browser's.
const routeChunksFile = "route-chunks.json"

// routePreload is one route of a lazy screen and the <link> lines that let
// the browser fetch its chunks beside the main bundle instead of after it
// (one round trip less before a room opened from a notification shows).
type routePreload struct {
	pattern []string // the route split at "/"; ":id" stands for digits
	links   string
}

// assetScript is a chunk's URL as the build writes it: a plain file name
// under /assets/, nothing that could leave the folder or the attribute.
var assetScript = regexp.MustCompile(`^/assets/[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.js$`)

// routePattern is a route as the app's router writes it (ui/src/lazyRoutes.ts).
var routePattern = regexp.MustCompile(`^(/([a-z0-9-]+|:[a-z]+))+/$`)

// loadPreloads reads routeChunksFile from the built UI. Without it (a
// binary built without the UI, a test's fake) there is nothing to preload;
// an entry with a malformed route or file name, or naming a file the UI
// lacks, is left out.
func loadPreloads(ui fs.FS, log *slog.Logger) []routePreload {
	raw, err := fs.ReadFile(ui, routeChunksFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			log.Warn("web app: cannot read "+routeChunksFile, "err", err)
		}
		return nil
	}
	var entries []struct {
		Pattern string   `json:"pattern"`
		Files   []string `json:"files"`
	}
	if err := json.Unmarshal(raw, &entries); err != nil {
		log.Warn("web app: "+routeChunksFile+" is not a list of routes", "err", err)
		return nil
	}
	var out []routePreload
	for _, e := range entries {
		if !routePattern.MatchString(e.Pattern) {
			log.Warn("web app: "+routeChunksFile+": a malformed route left out", "pattern", e.Pattern)
			continue
		}
		var links strings.Builder
		for _, f := range e.Files {
			if !assetScript.MatchString(f) {
				log.Warn("web app: "+routeChunksFile+": a malformed file name left out", "pattern", e.Pattern, "file", f)
				continue
			}
			if _, err := fs.Stat(ui, strings.TrimPrefix(f, "/")); err != nil {
				log.Warn("web app: "+routeChunksFile+" names a missing file", "pattern", e.Pattern, "file", f)
				continue
			}
			links.WriteString(`<link rel="modulepreload" crossorigin href="` + html.EscapeString(f) + `">` + "\n")
		}
		if links.Len() > 0 {
			out = append(out, routePreload{pattern: strings.Split(e.Pattern, "/"), links: links.String()})
		}
	}
	return out
}

// matchesRoute reports whether the request path p (as sent, not decoded)
// is on the route, as the app's router decides (ui/src/lib/router.tsx
// matchRoute): a missing trailing slash is added, a parameter is digits.
func matchesRoute(pattern []string, p string) bool {
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	segs := strings.Split(p, "/")
	if len(segs) != len(pattern) {
		return false
	}
	for i, want := range pattern {
		if strings.HasPrefix(want, ":") {
			if segs[i] == "" || strings.Trim(segs[i], "0123456789") != "" {
				return false
			}
		} else if segs[i] != want {
			return false
		}
	}
	return true
}

// withPreloads returns index.html with the preload links of the first
// route that p is on before </head>, or index unchanged. Only the links
// read at start go in, never anything of the request.
func withPreloads(routes []routePreload, p string, index []byte) []byte {
	for _, rt := range routes {
		if !matchesRoute(rt.pattern, p) {
			continue
		}
		at := bytes.Index(index, []byte("</head>"))
		if at < 0 {
			return index
		}
		out := make([]byte, 0, len(index)+len(rt.links))
		out = append(out, index[:at]...)
		out = append(out, rt.links...)
		return append(out, index[at:]...)
	}
	return index
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
