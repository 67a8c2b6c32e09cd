// Package apidoc owns the hub's API contract: each domain describes its
// routes (an Ops map next to its handlers), and Build joins those
// descriptions with the route table, which supplies what a route requires
// (auth, scope, feature, account), into one OpenAPI 3.1 document.
package apidoc

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
)

// Acct is the prefix of every account-scoped route.
const Acct = "/api/v1/accounts/{accountID}"

// Op describes one route for the document. The route table already says
// who may call it; the Op says what it takes and answers.
type Op struct {
	Tag         string
	Summary     string
	Description string
	// Body is the JSON request body: a Go value of the type the handler
	// decodes (reflected), or a Schema; nil = no body.
	Body any
	// BodyType overrides the request media type (multipart/form-data).
	BodyType string
	Query    []Param
	// Status is the success status (200 when zero); NoContent answers
	// it with no body.
	Status int
	// Resp is the success body: a Go value of the type written, or a
	// Schema; nil with Status 204 = no body.
	Resp any
	// Content overrides the success media type (text/csv, text/html…).
	Content string
	// Also lists other success answers (202 for "already done").
	Also map[int]any
}

// Param is a query parameter.
type Param struct {
	Name, Description string
	Schema            any // defaults to a string
	Required          bool
}

// Ops maps "METHOD /full/pattern" (the route table's Key) to its Op.
type Ops map[string]Op

// Merge joins domain maps; a key described twice is a mistake.
func Merge(sets ...Ops) (Ops, error) {
	out := Ops{}
	for _, s := range sets {
		for k, v := range s {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("apidoc: %s is described twice", k)
			}
			out[k] = v
		}
	}
	return out, nil
}

// Tagged sets tag on every Op of ops that has none.
func Tagged(tag string, ops Ops) Ops {
	for k, op := range ops {
		if op.Tag == "" {
			op.Tag = tag
			ops[k] = op
		}
	}
	return ops
}

// Paged are the query parameters of cursor-paginated lists.
var Paged = []Param{
	{Name: "limit", Description: "page size, 1–200 (default 50)", Schema: Schema{"type": "integer", "minimum": 1, "maximum": 200}},
	{Name: "cursor", Description: "next_cursor of the previous page"},
}

// Check reports the routes the document lacks and the descriptions that
// name no route: both must be empty, so a new route fails the test until
// it is described.
func Check(routes []httpx.Route, ops Ops) (undocumented, stray []string) {
	seen := map[string]bool{}
	for _, rt := range routes {
		seen[rt.Key()] = true
		if _, ok := ops[rt.Key()]; !ok {
			undocumented = append(undocumented, rt.Key())
		}
	}
	for k := range ops {
		if !seen[k] {
			stray = append(stray, k)
		}
	}
	slices.Sort(stray)
	return undocumented, stray
}

var param = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// Build writes the OpenAPI document of routes, described by ops (a route
// without an Op still appears, with what the table says of it).
func Build(routes []httpx.Route, ops Ops, version, server string) map[string]any {
	r := newReflector()
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		p := strings.TrimSuffix(rt.Pattern, "{$}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = operation(r, rt, ops[rt.Key()])
	}
	r.components["Pagination"] = r.typ(reflectType[httpx.Pagination]())
	r.components["Error"] = errorSchema(r)
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "WhatPro Hub API",
			"version": version,
			"description": "The hub's REST API. Errors always answer with the envelope " +
				"{\"error\":{\"code\",\"message\",\"details\",\"request_id\"}}; lists with {\"data\",\"pagination\"}. " +
				"Another tenant's account or row answers 404, a missing permission, scope or feature 403.",
		},
		"servers": []any{map[string]any{"url": server}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         r.components,
			"securitySchemes": securitySchemes,
			"responses": map[string]any{"Error": map[string]any{
				"description": "an error, in the envelope",
				"content":     map[string]any{"application/json": map[string]any{"schema": Ref("Error")}},
			}},
		},
		"tags": tags(ops),
	}
	return doc
}

func tags(ops Ops) []any {
	set := map[string]bool{}
	for _, op := range ops {
		if op.Tag != "" {
			set[op.Tag] = true
		}
	}
	var out []any
	for _, t := range slices.Sorted(maps.Keys(set)) {
		out = append(out, map[string]any{"name": t})
	}
	return out
}

var securitySchemes = map[string]any{
	"session": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
		"description": "A console session's access token (POST /api/v1/auth/login), or an embedded page's instance token."},
	"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key",
		"description": "An account API key (wp_live_<prefix>.<secret>), limited to its scopes."},
}

func operation(r *reflector, rt httpx.Route, op Op) map[string]any {
	o := map[string]any{"operationId": operationID(rt)}
	if op.Summary != "" {
		o["summary"] = op.Summary
	}
	desc := op.Description
	if rt.Feature != "" {
		o["x-feature"] = rt.Feature
		desc = strings.TrimSpace(desc + "\n\nNeeds the account feature `" + rt.Feature + "` (403 FEATURE_DISABLED otherwise).")
	}
	if rt.Permission != "" {
		o["x-permission"] = rt.Permission
	}
	if desc != "" {
		o["description"] = desc
	}
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	if rt.Auth == httpx.Authenticated {
		scopes := []string{}
		if rt.Permission != "" {
			scopes = []string{rt.Permission}
		}
		o["security"] = []any{map[string]any{"session": scopes}, map[string]any{"apiKey": scopes}}
	} else {
		o["security"] = []any{}
	}
	var params []any
	for _, m := range param.FindAllStringSubmatch(rt.Pattern, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": Schema{"type": "string"}})
	}
	if rt.AccountFrom == httpx.AccountQuery {
		params = append(params, map[string]any{"name": "account_id", "in": "query", "required": true, "schema": Schema{"type": "string"}})
	}
	for _, q := range op.Query {
		s := r.of(q.Schema)
		if s == nil {
			s = Schema{"type": "string"}
		}
		p := map[string]any{"name": q.Name, "in": "query", "schema": s}
		if q.Description != "" {
			p["description"] = q.Description
		}
		if q.Required {
			p["required"] = true
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.Body != nil {
		r.request = true
		body := r.of(op.Body)
		r.request = false
		mt := op.BodyType
		if mt == "" {
			mt = "application/json"
		}
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{mt: map[string]any{"schema": body}}}
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	resps := map[string]any{"default": map[string]any{"$ref": "#/components/responses/Error"}}
	resps[fmt.Sprint(status)] = response(r, status, op.Resp, op.Content)
	for st, body := range op.Also {
		resps[fmt.Sprint(st)] = response(r, st, body, "")
	}
	o["responses"] = resps
	return o
}

func response(r *reflector, status int, body any, content string) map[string]any {
	out := map[string]any{"description": http.StatusText(status)}
	if status == http.StatusNoContent {
		return out
	}
	s := r.of(body)
	if s == nil && content == "" {
		return out
	}
	if content == "" {
		content = "application/json"
	}
	if s == nil {
		s = Schema{"type": "string"}
	}
	out["content"] = map[string]any{content: map[string]any{"schema": s}}
	return out
}

func operationID(rt httpx.Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(rt.Pattern, func(c rune) bool { return c == '/' || c == '-' || c == '.' || c == '{' || c == '}' }) {
		if part == "api" || part == "v1" || part == "$" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func errorSchema(r *reflector) Schema {
	return Object(map[string]any{"error": Object(map[string]any{
		"code":       Schema{"type": "string", "description": "machine code: VALIDATION_ERROR, NOT_FOUND, FORBIDDEN, …"},
		"message":    Text,
		"details":    Schema{"type": "array", "items": r.typ(reflectType[httpx.FieldError]())},
		"request_id": Text,
	}, "code", "message", "request_id")}, "error")
}

// Merge1 is Merge for a domain's own sets, whose keys are distinct by
// construction; a duplicate panics at the first document build (tests).
func Merge1(sets ...Ops) Ops {
	out, err := Merge(sets...)
	if err != nil {
		panic(err)
	}
	return out
}
