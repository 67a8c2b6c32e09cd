package providersim

import "strings"

// route is one entry of a simulator's route table. Pattern segments in
// braces match any one non-empty path segment. A table instead of
// http.ServeMux because both providers answer unknown paths and wrong
// methods with their own JSON, never with net/http's plain-text 404/405.
type route[H any] struct {
	method  string
	pattern string
	handle  H
	segs    []string
}

func compile[H any](routes []route[H]) []route[H] {
	for i := range routes {
		routes[i].segs = splitPath(routes[i].pattern)
	}
	return routes
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for method and path and the values of its
// parameters.
func match[H any](routes []route[H], method, path string) (*route[H], map[string]string) {
	segs := splitPath(path)
	for i := range routes {
		rt := &routes[i]
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		matched := true
		for j, s := range rt.segs {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if segs[j] == "" {
					matched = false
					break
				}
				params[s[1:len(s)-1]] = segs[j]
				continue
			}
			if s != segs[j] {
				matched = false
				break
			}
		}
		if matched {
			return rt, params
		}
	}
	return nil, nil
}
