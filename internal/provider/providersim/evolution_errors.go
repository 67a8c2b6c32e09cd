package providersim

import "net/http"

// evoError is the body Evolution's Express error handler writes for every
// thrown exception: {status, error, response: {message}}. message is a
// string for bare exceptions and an array of the constructor's arguments
// otherwise.
type evoError struct {
	Status   int    `json:"status"`
	Error    string `json:"error"`
	Response struct {
		Message any `json:"message"`
	} `json:"response"`
}

func evoErr(status int, message any) evoError {
	e := evoError{Status: status, Error: http.StatusText(status)}
	if status == http.StatusInternalServerError {
		e.Error = "Internal Server Error"
	}
	e.Response.Message = message
	return e
}

// evoFailureBody is what a failure knob answers: a bare exception of that
// status, like `new UnauthorizedException()`.
func evoFailureBody(status int) any { return evoErr(status, http.StatusText(status)) }

func (c *evoCall) reply(status int, v any) { writeJSON(c.w, status, v) }

func (c *evoCall) fail(status int, message ...string) {
	if len(message) == 0 {
		c.reply(status, evoFailureBody(status))
		return
	}
	c.reply(status, evoErr(status, message))
}

// badSchema is a jsonschema validation failure: BadRequestException is
// thrown with the list of messages as its single argument, hence the
// nested array.
func (c *evoCall) badSchema(messages ...string) {
	c.reply(http.StatusBadRequest, evoErr(http.StatusBadRequest, [][]string{messages}))
}
