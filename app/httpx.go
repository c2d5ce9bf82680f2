package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxBodyBytes bounds every request body (docs/api.md: over 1 MiB is a 413).
const maxBodyBytes = 1 << 20

// Messages shown to residents for errors that are not tied to a field.
const (
	msgUnauthenticated = "로그인이 필요해요."
	msgForbidden       = "권한이 없어요."
	msgNotFound        = "요청한 항목을 찾을 수 없어요."
	msgTooLarge        = "요청 본문이 너무 커요. 1MB 이하로 보내 주세요."
	msgBodyTimeout     = "요청 본문이 제시간에 도착하지 않았어요. 다시 시도해 주세요."
	msgBadBody         = "요청 본문을 읽을 수 없어요. JSON 또는 폼 형식으로 보내 주세요."
	msgBadUTF8         = "요청에 올바르지 않은 문자(UTF-8 아님)가 있어요."
	msgInternal        = "서버에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
	msgRequired        = "꼭 입력해야 하는 항목이에요."
	msgNotString       = "문자열이어야 해요."
	msgNotInteger      = "정수를 입력해 주세요."
	msgNotBool         = "true 또는 false여야 해요."
	msgNull            = "null은 쓸 수 없어요. 값을 보내거나 필드를 빼 주세요."
	msgEmptyBody       = "요청 본문이 비어 있어요. 바꿀 항목을 보내 주세요."
)

var (
	errTooLarge = errors.New("body too large")
	// errBodyTimeout: the body did not arrive within --body-timeout.
	errBodyTimeout = errors.New("request body too slow")
	errBadBody     = errors.New("malformed body")
	errBadUTF8     = errors.New("body is not UTF-8")
)

// fields is a decoded request body: JSON values (string, json.Number, bool,
// nil, or nested values) or form values (always strings).
type fields map[string]any

// decode reads a JSON, urlencoded or multipart body, bounded by maxBodyBytes.
// An empty body decodes to no fields.
func decode(w http.ResponseWriter, r *http.Request) (fields, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		var err error
		if ct == "multipart/form-data" {
			err = r.ParseMultipartForm(maxBodyBytes)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			return nil, bodyReadError(err)
		}
		f := fields{}
		for k, vs := range r.PostForm {
			if !utf8.ValidString(k) {
				return nil, errBadUTF8
			}
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return nil, errBadUTF8
				}
			}
			if len(vs) > 0 {
				f[k] = vs[0]
			}
		}
		return f, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyReadError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fields{}, nil
	}
	if !utf8.Valid(body) {
		return nil, errBadUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var f fields
	if err := dec.Decode(&f); err != nil || f == nil {
		return nil, errBadBody
	}
	// Nothing but spaces after the object: "{…}]", "{…} x" and "{…}{…}"
	// are not one JSON value (dec.More alone misses the "]").
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return nil, errBadBody
	}
	return f, nil
}

// bodyReadError classifies a failure to read or parse a body: over the
// limit (the reader's *http.MaxBytesError, or a multipart form with too
// many parts or headers) is errTooLarge, anything else errBadBody.
func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return errTooLarge
	}
	return errBadBody
}

// readFields decodes the body, answering a failure (413 or 400) itself. A
// field given as an explicit JSON null is a 400 on that field: a client
// that sends null means something, and reading it as "absent" (keep the
// old value) would guess what.
func (s *Server) readFields(w http.ResponseWriter, r *http.Request) (fields, bool) {
	f, err := decode(w, r)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	errs := fieldErrors{}
	for name, v := range f {
		if v == nil {
			errs.add(name, msgNull)
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return nil, false
	}
	return f, true
}

// readChanges is readFields for routes that change what they are given
// (edit, update): an empty body, or one with no fields, is a 400 rather
// than a change of nothing that answers 200.
func (s *Server) readChanges(w http.ResponseWriter, r *http.Request) (fields, bool) {
	f, ok := s.readFields(w, r)
	if ok && len(f) == 0 {
		writeError(w, http.StatusBadRequest, msgEmptyBody)
		return nil, false
	}
	return f, ok
}

// fieldErrors collects validation messages per field.
type fieldErrors map[string][]string

func (e fieldErrors) add(field, msg string) { e[field] = append(e[field], msg) }

// str reads a string field. present is false for a missing or null field.
func (f fields) str(name string, errs fieldErrors) (s string, present bool) {
	v, ok := f[name]
	if !ok || v == nil {
		return "", false
	}
	s, ok = v.(string)
	if !ok {
		errs.add(name, msgNotString)
		return "", false
	}
	return s, true
}

// required reads a string that must be present and not blank.
func (f fields) required(name string, errs fieldErrors) string {
	s, ok := f.str(name, errs)
	if _, bad := errs[name]; bad {
		return ""
	}
	if !ok || strings.TrimSpace(s) == "" {
		errs.add(name, msgRequired)
		return ""
	}
	return s
}

// integer reads a number field, also given as a numeric string.
func (f fields) integer(name string, errs fieldErrors) (n int64, present bool) {
	v, ok := f[name]
	if !ok || v == nil {
		return 0, false
	}
	var text string
	switch t := v.(type) {
	case json.Number:
		text = t.String()
	case string:
		text = strings.TrimSpace(t)
	default:
		errs.add(name, msgNotInteger)
		return 0, false
	}
	if text == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		errs.add(name, msgNotInteger)
		return 0, false
	}
	return n, true
}

// boolean reads a flag field, also given as "true"/"false".
func (f fields) boolean(name string, errs fieldErrors) (b, present bool) {
	v, ok := f[name]
	if !ok || v == nil {
		return false, false
	}
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	errs.add(name, msgNotBool)
	return false, false
}

// writeJSON answers v as JSON with the status. A value that cannot be
// encoded answers the JSON 500 of fail, its cause going to the request log.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		noteFailure(w, fmt.Errorf("encode answer: %w", err))
		writeJSONBytes(w, http.StatusInternalServerError, internalBody)
		return
	}
	writeJSONBytes(w, status, body)
}

// writeJSONBytes answers an already encoded JSON body, gzipped when the
// request takes it and the body is large enough (gzip.go).
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	writeJSONEncoded(w, status, body, gzipBytes)
}

func writeJSONEncoded(w http.ResponseWriter, status int, body []byte, compress func([]byte) []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	out, gzipped := gzipAnswer(w, body, compress)
	if gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	w.Write(out)
}

// writeError answers a refusal as a bare JSON string, the original
// service's error shape. Errors returned by calls go to fail instead.
func writeError(w http.ResponseWriter, status int, msg string) { writeJSON(w, status, msg) }

// writeMessage answers a success that the original service reports as a
// bare JSON string ("로그아웃했어요.").
func writeMessage(w http.ResponseWriter, status int, msg string) { writeJSON(w, status, msg) }

// writeInvalid answers 400 {"errors": {...}}.
func writeInvalid(w http.ResponseWriter, errs fieldErrors) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": errs})
}

// loadByID reads the :id path parameter and what find makes of it. A
// non-numeric id or a missing thing is the missing error (errPostNotFound,
// errRoomNotFound); it and any other failure are answered through fail.
func loadByID[T any](s *Server, w http.ResponseWriter, r *http.Request, missing error,
	find func(context.Context, int64) (T, error)) (T, bool) {
	var zero T
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, missing)
		return zero, false
	}
	v, err := find(r.Context(), id)
	if err != nil {
		s.fail(w, r, notFoundAs(missing, err))
		return zero, false
	}
	return v, true
}

// idParam reads a numeric path parameter; ok is false for anything else.
func idParam(r *http.Request, name string) (int64, bool) {
	v := paramsFrom(r).ByName(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
