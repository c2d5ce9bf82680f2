package app

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"sync"
)

// API answers are gzip-compressed when the request takes gzip (issue 14 §7:
// the board is ~6 KB of JSON, ~1.5 KB gzipped). Only whole JSON answers
// written by writeJSONBytes are compressed, so WebSocket upgrades, metrics,
// the health probes and anything already encoded never are. The middleware
// decides per request (apiGzip) and marks its recorder; writeJSONBytes finds
// the mark by unwrapping the writer, as noteFailure does.

// gzipMinBytes is the smallest answer worth compressing: below about 1 KB
// the gzip header and the CPU cost more than the bytes saved.
const gzipMinBytes = 1024

// apiGzip reports whether the answer to r may be gzipped: an API request
// that is not a WebSocket upgrade, from a client that takes gzip.
func apiGzip(r *http.Request) bool {
	return isAPIPath(r.URL.Path) && r.Header.Get("Upgrade") == "" && acceptsGzip(r)
}

// gzipAllowed finds the request recorder behind w and reads its mark.
func gzipAllowed(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case *requestRecorder:
			return t.gzip
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// gzipWriters keeps compressors: each holds several hundred KB of state,
// too much to allocate per answer.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// gzipBytes compresses body in one go.
func gzipBytes(body []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(body) // a bytes.Buffer does not fail
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

// gzipAnswer returns the bytes to send for body and whether they are
// gzipped: when the request allowed it, the answer is large enough and no
// encoding was set already. compress gives the gzipped bytes (a cache may
// keep them).
func gzipAnswer(w http.ResponseWriter, body []byte, compress func([]byte) []byte) ([]byte, bool) {
	if len(body) < gzipMinBytes || w.Header().Get("Content-Encoding") != "" || !gzipAllowed(w) {
		return body, false
	}
	return compress(body), true
}

// sharedGzip keeps the gzipped form of shared, never-changing answers (the
// board cache's pages), so a page is compressed once and not per view. It
// is keyed by the identity of the shared slice: the entry holds the slice,
// so its address cannot be reused while the entry lives. When full it
// starts again, like the board cache.
type sharedGzip struct {
	mu    sync.Mutex
	pages map[sharedKey]sharedEntry
}

type sharedKey struct {
	p *byte
	n int
}

type sharedEntry struct {
	raw []byte // keeps p alive and unique
	gz  []byte
}

// maxSharedGzip bounds the kept pages (the board cache keeps up to 512;
// the pages viewed recently are what matter).
const maxSharedGzip = 256

var sharedPages sharedGzip

// get returns body gzipped, compressing it on the first call for this slice.
func (c *sharedGzip) get(body []byte) []byte {
	if len(body) == 0 {
		return gzipBytes(body)
	}
	k := sharedKey{p: &body[0], n: len(body)}
	c.mu.Lock()
	e, ok := c.pages[k]
	c.mu.Unlock()
	if ok {
		return e.gz
	}
	gz := gzipBytes(body)
	c.mu.Lock()
	if c.pages == nil || len(c.pages) >= maxSharedGzip {
		c.pages = make(map[sharedKey]sharedEntry)
	}
	c.pages[k] = sharedEntry{raw: body, gz: gz}
	c.mu.Unlock()
	return gz
}

// writeSharedJSON answers an encoded JSON body that is shared between
// requests and never modified (a cached board page): like writeJSONBytes,
// but its gzipped form is kept and reused.
func writeSharedJSON(w http.ResponseWriter, status int, body []byte) {
	writeJSONEncoded(w, status, body, sharedPages.get)
}
