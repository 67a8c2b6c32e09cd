package cwsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	maxJSONBody      = 4 << 20
	maxMultipartBody = 40 << 20
	filesKey         = "\x00files" // where multipart uploads travel inside the params map
)

// upload is one multipart file part (attachments[]).
type upload struct {
	Filename    string
	ContentType string
	Data        []byte
}

// readParams decodes a request body the way Rails builds params: JSON,
// url-encoded forms and multipart are all accepted; malformed JSON is a
// 400 from ActionDispatch's ParseError.
func readParams(r *http.Request) (map[string]any, error) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return map[string]any{}, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		return readMultipart(r)
	case "application/x-www-form-urlencoded":
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
		if err != nil {
			return nil, errRails(http.StatusBadRequest)
		}
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, errRails(http.StatusBadRequest)
		}
		return formToParams(vals), nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil || len(raw) > maxJSONBody {
		return nil, errRails(http.StatusRequestEntityTooLarge)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, errRails(http.StatusBadRequest)
	}
	if m, isObj := v.(map[string]any); isObj {
		return m, nil
	}
	// Rails wraps a non-object JSON body under "_json".
	return map[string]any{"_json": v}, nil
}

func readMultipart(r *http.Request) (map[string]any, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxMultipartBody)
	if err := r.ParseMultipartForm(maxMultipartBody); err != nil {
		return nil, errRails(http.StatusBadRequest)
	}
	params := formToParams(url.Values(r.MultipartForm.Value))
	var files []upload
	for key, hdrs := range r.MultipartForm.File {
		if key != "attachments[]" && key != "attachments" {
			continue
		}
		for _, h := range hdrs {
			f, err := h.Open()
			if err != nil {
				return nil, errRails(http.StatusBadRequest)
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return nil, errRails(http.StatusBadRequest)
			}
			files = append(files, upload{Filename: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: data})
		}
	}
	if files != nil {
		params[filesKey] = files
	}
	return params, nil
}

// formToParams keeps single values as strings and "x[]" keys as lists.
func formToParams(vals url.Values) map[string]any {
	out := map[string]any{}
	for k, vs := range vals {
		if strings.HasSuffix(k, "[]") {
			list := make([]any, len(vs))
			for i, v := range vs {
				list[i] = v
			}
			out[strings.TrimSuffix(k, "[]")] = list
			continue
		}
		if len(vs) > 0 {
			out[k] = vs[len(vs)-1]
		}
	}
	return out
}

// wrapped emulates Rails wrap_parameters: the model key when it holds an
// object, else the top-level params (which Rails would have wrapped).
func wrapped(m map[string]any, key string) map[string]any {
	if inner, isObj := m[key].(map[string]any); isObj {
		return inner
	}
	return m
}

// pString reads a scalar as Rails would store it in a string column.
func pString(m map[string]any, key string) (string, bool) {
	v, present := m[key]
	if !present || v == nil {
		return "", present
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", true
}

var errNotInt = errors.New("not an integer")

// pInt reads an integer given as a JSON number or a numeric string.
func pInt(m map[string]any, key string) (int, bool, error) {
	v, present := m[key]
	if !present || v == nil {
		return 0, false, nil
	}
	var s string
	switch t := v.(type) {
	case int: // values built in Go (AddMessage attributes)
		return t, true, nil
	case float64:
		if t != float64(int(t)) {
			return 0, true, errNotInt
		}
		return int(t), true, nil
	case json.Number:
		s = t.String()
	case string:
		s = strings.TrimSpace(t)
		if s == "" {
			return 0, false, nil
		}
	default:
		return 0, true, errNotInt
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, true, errNotInt
	}
	return n, true, nil
}

// pBool casts like ActiveModel::Type::Boolean: a short list of false
// spellings, everything else true, "" is nil.
func pBool(m map[string]any, key string) (val, present bool) {
	v, found := m[key]
	if !found || v == nil {
		return false, false
	}
	switch t := v.(type) {
	case bool:
		return t, true
	case json.Number:
		return t.String() != "0", true
	case string:
		switch t {
		case "":
			return false, false
		case "0", "f", "F", "false", "FALSE", "off", "OFF":
			return false, true
		}
		return true, true
	}
	return true, true
}

func pMap(m map[string]any, key string) (map[string]any, bool) {
	switch t := m[key].(type) {
	case map[string]any:
		return t, true
	case string:
		// Multipart clients send nested objects as JSON text.
		var out map[string]any
		if json.Unmarshal([]byte(t), &out) == nil && out != nil {
			return out, true
		}
	}
	return nil, false
}

func pList(m map[string]any, key string) ([]any, bool) {
	l, isList := m[key].([]any)
	return l, isList
}

// pIntList reads user_ids style arrays; non-integers are dropped as
// Rails' permit would drop non-scalars.
func pIntList(m map[string]any, key string) ([]int, bool) {
	l, isList := pList(m, key)
	if !isList {
		return nil, false
	}
	var out []int
	for _, v := range l {
		n, _, err := pInt(map[string]any{"v": v}, "v")
		if err == nil {
			out = append(out, n)
		}
	}
	return out, true
}
