package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxErrorBody bounds StatusError.Body, which ends up in logs and job
// failure records.
const maxErrorBody = 512

// StatusError is returned for a non-2xx answer, including a 3xx that was not
// followed.
type StatusError struct {
	Status int
	// Body is the start of the remote answer, at most 512 bytes of valid
	// UTF-8. It never contains anything from our request.
	Body string
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("outbound: HTTP %d", e.Status)
	}
	return fmt.Sprintf("outbound: HTTP %d: %s", e.Status, e.Body)
}

// JSON sends body (if not nil) encoded as JSON and decodes a 2xx answer into
// out (if not nil; a 204 leaves out untouched). It returns the status and
// headers whenever a response arrived, including with a *StatusError for
// non-2xx answers, ErrResponseTooLarge, or an error wrapping ErrBadResponse
// when the answer is not the JSON that out expects.
func (c *Client) JSON(ctx context.Context, method, rawURL string, headers http.Header, body, out any) (int, http.Header, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, nil, &URLError{"cannot be parsed"}
	}
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("outbound: encoding request body: %w", err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), payload)
	if err != nil {
		return 0, nil, fmt.Errorf("outbound: building %s request: %w", method, err)
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}

	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, resp.Header, fmt.Errorf("outbound: reading HTTP %d response: %w", resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, resp.Header, &StatusError{Status: resp.StatusCode, Body: snippet(data)}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return resp.StatusCode, resp.Header, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return resp.StatusCode, resp.Header, fmt.Errorf("%w: HTTP %d with an empty body, expected JSON", ErrBadResponse, resp.StatusCode)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp.StatusCode, resp.Header, fmt.Errorf("%w: HTTP %d (Content-Type %q) is not the expected JSON: %w",
			ErrBadResponse, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	return resp.StatusCode, resp.Header, nil
}

func snippet(b []byte) string {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	// Cutting may split a rune; drop the fragment rather than log garbage.
	return strings.ToValidUTF8(strings.TrimSpace(string(b)), "")
}
