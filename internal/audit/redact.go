package audit

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"strings"
)

// Redacted replaces the value of every key that looks secret.
const Redacted = "[redacted]"

// secretKeys are the key names whose values never reach the log, compared
// lowercased with '_' and '-' removed so apiKey, api-key and API_KEY match.
var secretKeys = map[string]bool{
	"password": true, "passwordhash": true, "token": true, "accesstoken": true,
	"refreshtoken": true, "apikey": true, "key": true, "secret": true,
	"credentials": true, "appsecret": true, "totpsecret": true,
	"recoverycodes": true, "authorization": true,
}

// secretSuffixes catch the variants the list cannot name in advance
// (webhook_secret, chatwoot_token, new_password).
var secretSuffixes = []string{"password", "secret", "token", "apikey"}

func isSecretKey(k string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(k))
	if secretKeys[n] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// redactJSON marshals v with secret values masked. A round trip through
// JSON reaches nested maps and structs alike (struct keys are their JSON
// names); numbers are kept as written. nil or JSON null is stored as NULL.
func redactJSON(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return sql.NullString{}, err
	}
	if tree == nil {
		return sql.NullString{}, nil
	}
	out, err := json.Marshal(mask(tree))
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(out), Valid: true}, nil
}

func mask(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if isSecretKey(k) {
				t[k] = Redacted
			} else {
				t[k] = mask(val)
			}
		}
	case []any:
		for i := range t {
			t[i] = mask(t[i])
		}
	}
	return v
}
