package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/store"
)

// Errors of app itself. Like the store's sentinels they are answered from
// errorAnswers; handlers return them to fail rather than write a status.
var (
	// errPostNotFound and errRoomNotFound are a store.ErrNotFound that a
	// handler attributed to a post or a room (see notFoundAs): the answer
	// names what is missing.
	errPostNotFound = errors.New("post not found")
	errRoomNotFound = errors.New("room not found")
	// errLLMUnavailable marks a failed call to the menu assistant's LLM;
	// errWeatherUnavailable a failed weather provider. Both are outside
	// services that are down for a while: the resident is asked to try
	// again later, with 503 rather than a server fault.
	errLLMUnavailable     = errors.New("menu assistant unavailable")
	errWeatherUnavailable = errors.New("weather unavailable")
)

// errorAnswer is what a known error answers: a bare JSON string with the
// status or, when field is set, 400 {"errors": {field: [msg]}} like any
// validation failure of that field.
type errorAnswer struct {
	err    error
	status int
	msg    string
	field  string
}

// errorAnswers is the one table from errors to answers. The first entry
// that matches (also through wrapping) wins, so an attributed not-found
// (errPostNotFound) comes before the store's generic one and
// menu.ErrRateLimited before the errLLMUnavailable joined to it. Everything
// else is a 500 (see fail).
var errorAnswers = []errorAnswer{
	// Request bodies (decode).
	{err: errTooLarge, status: http.StatusRequestEntityTooLarge, msg: msgTooLarge},
	{err: errBodyTimeout, status: http.StatusRequestTimeout, msg: msgBodyTimeout},
	{err: errBadUTF8, status: http.StatusBadRequest, msg: msgBadUTF8},
	{err: errBadBody, status: http.StatusBadRequest, msg: msgBadBody},
	{err: errNoCredential, status: http.StatusUnauthorized, msg: msgUnauthenticated},

	// Things that are not there.
	{err: errPostNotFound, status: http.StatusNotFound, msg: msgPostNotFound},
	{err: errRoomNotFound, status: http.StatusNotFound, msg: msgRoomNotFound},
	{err: store.ErrNotFound, status: http.StatusNotFound, msg: msgNotFound},

	// Accounts.
	{err: store.ErrEmailTaken, status: http.StatusBadRequest, field: "email", msg: "이미 가입된 이메일이에요."},
	{err: store.ErrUsernameTaken, status: http.StatusBadRequest, field: "username", msg: "이미 사용 중인 유저명이에요."},
	{err: store.ErrInviteInvalid, status: http.StatusBadRequest, field: "invite", msg: msgInviteInvalid},

	// Posts and their chat rooms.
	{err: store.ErrTargetBelowMembers, status: http.StatusBadRequest, field: "target_number", msg: "현재 참여 인원보다 적게 정할 수 없어요."},
	{err: store.ErrCannotJoin, status: http.StatusBadRequest, msg: msgCannotJoin},
	{err: store.ErrWriterStays, status: http.StatusBadRequest, msg: msgWriterStays},
	{err: store.ErrNotMember, status: http.StatusForbidden, msg: msgNotInRoom},
	{err: store.ErrTooManyOpenPosts, status: http.StatusTooManyRequests, msg: msgTooManyOpenPosts},
	{err: store.ErrTooManyOpenRooms, status: http.StatusTooManyRequests, msg: msgTooManyOpenRooms},
	{err: store.ErrUnknownUser, status: http.StatusBadRequest, field: "target_user_id", msg: "없는 사용자예요."},

	// Group orders (orders.go, docs/orders.md).
	{err: store.ErrNoOrder, status: http.StatusNotFound, msg: msgNoOrder},
	{err: errOrderFieldsFixed, status: http.StatusBadRequest, msg: msgOrderFieldsFixed},
	{err: store.ErrOrderFrozen, status: http.StatusBadRequest, msg: msgCartFrozen},
	{err: errBanHeld, status: http.StatusBadRequest, msg: msgBanHeld},
	{err: store.ErrOrderHolding, status: http.StatusBadRequest, msg: msgLeaveHeld},
	{err: store.ErrOrderNotJoinable, status: http.StatusBadRequest, msg: msgOrderNotJoinable},
	{err: store.ErrUnlockUsed, status: http.StatusBadRequest, msg: msgUnlockOnce},
	{err: store.ErrOrderNotPayable, status: http.StatusBadRequest, msg: msgNotPayableYet},
	{err: store.ErrOrderOver, status: http.StatusBadRequest, msg: msgOrderOver},
	{err: store.ErrOrganiserPays, status: http.StatusBadRequest, msg: msgOrganiserNoSend},

	// Menu assistant and weather.
	{err: store.ErrQuotaExceeded, status: http.StatusTooManyRequests, msg: msgMenuChatQuota},
	{err: menu.ErrRateLimited, status: http.StatusTooManyRequests, msg: msgLLMBusy},
	{err: errLLMUnavailable, status: http.StatusServiceUnavailable, msg: msgLLMUnavailable},
	{err: errWeatherUnavailable, status: http.StatusServiceUnavailable, msg: msgWeatherUnavailable},
}

// answerFor finds err's entry in errorAnswers; ok is false for an error the
// table does not know.
func answerFor(err error) (errorAnswer, bool) {
	for _, a := range errorAnswers {
		if errors.Is(err, a.err) {
			return a, true
		}
	}
	return errorAnswer{}, false
}

// fail answers err: a known error (errorAnswers) with its status and Korean
// message, anything else with a JSON 500 that says nothing of the cause.
// The cause of a 500 goes to the request log line, which carries the
// request id (see middleware); the caller logs nothing itself.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if a, ok := answerFor(err); ok {
		if a.field != "" {
			writeInvalid(w, fieldErrors{a.field: {a.msg}})
			return
		}
		writeError(w, a.status, a.msg)
		return
	}
	if !noteFailure(w, err) {
		// Not behind the middleware: nothing else would log it.
		s.log.Error("request failed", "request_id", requestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSONBytes(w, http.StatusInternalServerError, internalBody)
}

// internalBody is the 500 answer, encoded once so that answering it cannot
// fail in turn.
var internalBody = func() []byte {
	b, err := json.Marshal(msgInternal)
	if err != nil {
		panic(err)
	}
	return b
}()

// noteFailure hands the cause of a 500 to the request log written by the
// middleware; false when w is not the middleware's writer (nor wraps it).
func noteFailure(w http.ResponseWriter, err error) bool {
	for {
		switch t := w.(type) {
		case *requestRecorder:
			t.err = err
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// notFoundAs attributes a store.ErrNotFound to the resource a handler was
// working on (errPostNotFound, errRoomNotFound), so that the answer names
// it. Other errors pass unchanged.
func notFoundAs(missing, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", missing, err)
	}
	return err
}

// unlessGone drops a store.ErrNotFound from a delete: the thing the handler
// had just loaded was deleted by someone else meanwhile, which is what the
// caller asked for.
func unlessGone(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// requestIDKey is the context key of the request id.
type requestIDKey struct{}

// newRequestID names one request in the log. It only has to tell requests
// apart, not be unguessable.
func newRequestID() string { return strconv.FormatUint(rand.Uint64()|1<<63, 16) }

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// requestID is the id the middleware gave the request, "" outside it.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
