package providersim

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// writeJSON answers like Express's res.json and Graph do: compact JSON,
// no HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(marshal(v))
}

// marshal is json.Marshal without HTML escaping, as JavaScript's
// JSON.stringify writes "<", ">" and "&".
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`null`)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// object is a JSON object that keeps its keys in the order written:
// JavaScript serializes keys in insertion order and Graph returns fields in
// the order they were asked for, while Go sorts map keys.
type object []kv

type kv struct {
	k string
	v any
}

func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(marshal(f.k))
		buf.WriteByte(':')
		buf.Write(marshal(f.v))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
