// Package httpx owns the HTTP plumbing shared by every domain: the route
// table and router, the middleware chain, the error envelope and JSON
// helpers.
package httpx

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/whatpro/hub/internal/db"
)

// Error codes clients can branch on.
const (
	CodeValidation       = "VALIDATION_ERROR"
	CodeBadRequest       = "BAD_REQUEST"
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeTokenExpired     = "TOKEN_EXPIRED"
	CodeTokenInvalid     = "TOKEN_INVALID"
	CodeTokenRevoked     = "TOKEN_REVOKED"
	CodeSessionRevoked   = "SESSION_REVOKED"
	CodeForbidden        = "FORBIDDEN"
	CodeFeatureDisabled  = "FEATURE_DISABLED"
	CodeAccountSuspended = "ACCOUNT_SUSPENDED"
	CodeNotFound         = "NOT_FOUND"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeConflict         = "CONFLICT"
	CodeTooLarge         = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	CodeLimitExceeded    = "LIMIT_EXCEEDED"
	CodeUnprocessable    = "UNPROCESSABLE"
	CodeRateLimited      = "RATE_LIMITED"
	CodeUpstream         = "UPSTREAM_ERROR"
	CodeInternal         = "INTERNAL"
	CodeUnavailable      = "UNAVAILABLE"
)

// Status maps an error code to its HTTP status; it is the only place that
// does so.
func Status(code string) int {
	switch code {
	case CodeValidation, CodeBadRequest:
		return http.StatusBadRequest
	case CodeUnauthorized, CodeTokenExpired, CodeTokenInvalid, CodeTokenRevoked, CodeSessionRevoked:
		return http.StatusUnauthorized
	case CodeForbidden, CodeFeatureDisabled, CodeAccountSuspended:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeConflict:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeLimitExceeded, CodeUnprocessable:
		return http.StatusUnprocessableEntity
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUpstream:
		return http.StatusBadGateway
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// FieldError names one invalid input field.
type FieldError struct {
	Field string `json:"field"`
	// Code is a machine code (FieldRequired, FieldTooShort…) and Params its
	// numbers, for clients that show their own words.
	Code    string         `json:"code"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
	// Limit and Used describe a LIMIT_EXCEEDED answer.
	Limit *int `json:"limit,omitempty"`
	Used  *int `json:"used,omitempty"`
}

// Error is the one error type handlers return: a machine code, a message
// safe to show to clients, optional field details, and an internal cause
// that is logged but never sent.
type Error struct {
	Code    string
	Message string
	Details []FieldError
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// E builds an Error.
func E(code, msg string, details ...FieldError) *Error {
	return &Error{Code: code, Message: msg, Details: details}
}

// Invalid is a 400 VALIDATION_ERROR for the given fields.
func Invalid(details ...FieldError) *Error {
	return &Error{Code: CodeValidation, Message: "the request has invalid fields", Details: details}
}

// NotFound is the 404 answer, also for rows of other accounts.
func NotFound() *Error { return E(CodeNotFound, "not found") }

// Internal wraps an unexpected error; its text is logged, never sent.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Cause: err}
}

// AsError turns any error into an *Error, mapping store sentinels.
func AsError(err error) *Error {
	var he *Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(err, db.ErrNotFound):
		return NotFound()
	case errors.Is(err, db.ErrInvalidInput):
		return &Error{Code: CodeBadRequest, Message: "the request holds a value that cannot be stored (NUL bytes, invalid UTF-8 or too long)", Cause: err}
	case errors.Is(err, db.ErrConflict):
		return &Error{Code: CodeConflict, Message: "conflicts with an existing resource", Cause: err}
	default:
		return Internal(err)
	}
}
