package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

type envelope struct {
	Error envelopeBody `json:"error"`
}

type envelopeBody struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Details   []FieldError `json:"details,omitempty"`
	RequestID string       `json:"request_id"`
}

// WriteJSON answers v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// StatusClientClosed is the status recorded for a request whose client
// went away before the answer.
const StatusClientClosed = 499

// WriteError answers err in the envelope. Internal errors are logged with
// the request id and their text is withheld.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || AsError(err).Code == CodeInternal) {
		// The client hung up mid-request: nobody reads the answer, and it
		// is no server failure. 499 (nginx's "client closed request")
		// counts it apart from 5xx in logs and metrics.
		Logger(r.Context()).Info("request cancelled by the client", "path", r.URL.Path, "error", err.Error())
		w.WriteHeader(StatusClientClosed)
		return
	}
	e := AsError(err)
	status := Status(e.Code)
	if status >= 500 {
		Logger(r.Context()).Error("request failed", "error", err.Error(), "path", r.URL.Path)
	}
	WriteJSON(w, status, envelope{envelopeBody{
		Code: e.Code, Message: e.Message, Details: withCodes(e.Details), RequestID: RequestID(r.Context()),
	}})
}

// DecodeJSON reads a JSON body into v: the content type must be declared
// JSON (a body without one is what a cross-site form or no-cors fetch
// sends, and is refused with 415), unknown fields are refused, exactly one
// value is allowed, and a body over the limit is a 413.
func DecodeJSON(r *http.Request, v any) error {
	if !IsJSON(r) {
		return E(CodeUnsupportedMedia, "the body must be sent with Content-Type: application/json")
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return E(CodeBadRequest, "the body must hold a single JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return E(CodeBadRequest, "the body must hold a single JSON value")
	}
	// PostgreSQL cannot store NUL in text; refuse it for every input alike,
	// naming the field.
	if bytes.Contains(raw, []byte(`\u0000`)) {
		if bad := nulFields(reflect.ValueOf(v), ""); len(bad) > 0 {
			return Invalid(bad...)
		}
	}
	return nil
}

// IsJSON reports whether the request declares a JSON body.
func IsJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func nulFields(v reflect.Value, path string) []FieldError {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return nulFields(v.Elem(), path)
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			if path == "" {
				path = "body"
			}
			return []FieldError{{Field: path, Code: FieldInvalid, Message: "must not contain NUL characters"}}
		}
	case reflect.Struct:
		var out []FieldError
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" {
				name = f.Name
			}
			out = append(out, nulFields(v.Field(i), join(path, name))...)
		}
		return out
	case reflect.Map:
		var out []FieldError
		for _, k := range v.MapKeys() {
			key := fmt.Sprint(k.Interface())
			if strings.ContainsRune(key, 0) {
				out = append(out, FieldError{Field: join(path, "(key)"), Message: "must not contain NUL characters"})
			}
			out = append(out, nulFields(v.MapIndex(k), join(path, key))...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []FieldError
		for i := range v.Len() {
			out = append(out, nulFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func decodeError(err error) error {
	var tooBig *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return E(CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit))
	case errors.Is(err, io.EOF):
		return E(CodeBadRequest, "the body is empty; a JSON object is expected")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return E(CodeBadRequest, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return Invalid(FieldError{Field: field, Code: FieldWrongType, Message: "must be a " + jsonKind(typ.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(FieldError{Field: name, Code: FieldUnknown, Message: "is not a known field"})
	default:
		slog.Debug("json decode", "error", err)
		return E(CodeBadRequest, "the body is not valid JSON")
	}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	default:
		return "number"
	}
}

// HandlerFunc is a handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP writes a returned error as the envelope.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}
