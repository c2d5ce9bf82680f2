package app

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// serveUI serves the embedded web app with explicit cache classes: hashed
// assets for a month (immutable), index.html never cached, other files an
// hour. Paths without an extension load the app so deep links work.
func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "허용되지 않은 요청 방식입니다.")
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if f, err := s.ui.Open(name); err == nil {
			st, err := f.Stat()
			if err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=2592000, immutable")
				} else {
					w.Header().Set("Cache-Control", "public, max-age=3600")
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
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
}

// uiMissingPage is served when the binary was built without `npm run build`.
const uiMissingPage = `<!doctype html><html lang="ko"><meta charset="utf-8"><title>MealBuddy</title>
<h1>밀버디 (MealBuddy)</h1><p>웹 화면이 이 바이너리에 포함되지 않았습니다. <code>make build</code>로 다시 빌드해 주세요. API는 /api/ 에서 동작합니다.</p></html>`
