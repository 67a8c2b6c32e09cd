package httpx

// Field error codes: what a client translates, by code and field, instead of
// showing the English message (which stays for API users). Params carry the
// numbers of the rule (min, max, limit, used) for the translated sentence.
const (
	FieldInvalid      = "invalid"       // the value breaks the field's rule; the message says which
	FieldRequired     = "required"      // missing or empty
	FieldTooShort     = "too_short"     // params.min characters at least
	FieldTooLong      = "too_long"      // params.max characters at most
	FieldBadEmail     = "bad_email"     // not an email address
	FieldBadURL       = "bad_url"       // not an http(s) address the hub may call
	FieldWeakPassword = "weak_password" // the password rule (params.min)
	FieldMismatch     = "mismatch"      // a password or code that does not match
	FieldExpired      = "expired"       // an unknown, used or expired token
	FieldUnknown      = "unknown"       // not a known name (field, feature, limit, scope, metric)
	FieldNotFound     = "not_found"     // names a resource that does not exist here
	FieldNotAllowed   = "not_allowed"   // may not be given (or changed) here
	FieldWrongType    = "wrong_type"    // JSON of another type
	FieldLimitReached = "limit_reached" // params.limit, params.used
	FieldOutOfRange   = "out_of_range"  // params.min / params.max
	FieldTaken        = "taken"         // already used by another row (a Chatwoot id another link or number holds); params name it
)

// Field builds a field error with its machine code and optional params
// (alternating names and values: "min", 10).
func Field(field, code, msg string, params ...any) FieldError {
	fe := FieldError{Field: field, Code: code, Message: msg}
	if len(params) >= 2 {
		fe.Params = make(map[string]any, len(params)/2)
		for i := 0; i+1 < len(params); i += 2 {
			if name, ok := params[i].(string); ok {
				fe.Params[name] = params[i+1]
			}
		}
	}
	return fe
}

// withCodes gives every field error a code: those built without one are
// "invalid", so a client always has something to translate.
func withCodes(details []FieldError) []FieldError {
	if len(details) == 0 {
		return details
	}
	out := make([]FieldError, len(details))
	for i, d := range details {
		if d.Code == "" {
			d.Code = FieldInvalid
			if d.Limit != nil {
				d.Code = FieldLimitReached
			}
		}
		if d.Code == FieldLimitReached && d.Params == nil && d.Limit != nil && d.Used != nil {
			d.Params = map[string]any{"limit": *d.Limit, "used": *d.Used}
		}
		out[i] = d
	}
	return out
}
