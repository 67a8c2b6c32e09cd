package cwsim

import (
	"net/http"
	"slices"
)

// apiError is an answer in one of Chatwoot's several error shapes. Rails
// renders each family differently, so each constructor names its source.
type apiError struct {
	status int
	body   any
}

func (e *apiError) Error() string { return http.StatusText(e.status) }

// errNotFound is RecordNotFound via RequestExceptionHandler.
func errNotFound() *apiError {
	return &apiError{http.StatusNotFound, map[string]any{"error": "Resource could not be found"}}
}

// errNotAuthorized is Pundit::NotAuthorizedError: Chatwoot answers 401, not 403.
func errNotAuthorized() *apiError {
	return &apiError{http.StatusUnauthorized, map[string]any{"error": "You are not authorized to do this action"}}
}

// errNotMember comes from EnsureCurrentAccountHelper.
func errNotMember() *apiError {
	return &apiError{http.StatusUnauthorized, map[string]any{"error": "You are not authorized to access this account"}}
}

// errInvalidToken comes from AccessTokenAuthHelper.
func errInvalidToken() *apiError {
	return &apiError{http.StatusUnauthorized, map[string]any{"error": "Invalid Access Token"}}
}

// errUnauthenticated is devise_token_auth's authenticate_user! failure.
func errUnauthenticated() *apiError {
	return &apiError{http.StatusUnauthorized, map[string]any{"errors": []string{"You need to sign in or sign up before continuing."}}}
}

// errRecordInvalid is ActiveRecord::RecordInvalid rendered by
// render_record_invalid: full messages joined, plus the attribute names.
func errRecordInvalid(message string, attributes ...string) *apiError {
	uniq := []string{} // errors.attribute_names lists each attribute once
	for _, a := range attributes {
		if !slices.Contains(uniq, a) {
			uniq = append(uniq, a)
		}
	}
	return &apiError{http.StatusUnprocessableEntity, map[string]any{"message": message, "attributes": uniq}}
}

// errCouldNotCreate is render_could_not_create_error (also ParameterMissing).
func errCouldNotCreate(message string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, map[string]any{"error": message}}
}

// errParamMissing is ActionController::ParameterMissing.
func errParamMissing(name string) *apiError {
	return errCouldNotCreate("param is missing or the value is empty: " + name)
}

// errRails is what Rails' exceptions app renders for JSON requests when an
// exception escapes the controller (bad JSON → 400, unhandled → 500).
func errRails(status int) *apiError {
	return &apiError{status, map[string]any{"status": status, "error": http.StatusText(status)}}
}
