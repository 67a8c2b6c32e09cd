package apidoc

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Schema is a JSON Schema (OpenAPI 3.1 dialect) written by hand, for
// bodies that no Go type describes (a map built in a handler).
type Schema map[string]any

// Object is a hand-written object schema: props maps each property to a
// Go value (reflected) or a Schema; required names the ones always sent.
func Object(props map[string]any, required ...string) Schema {
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// ListOf is the hub's list envelope {"data":[…],"pagination":{…}} of item.
func ListOf(item any) Schema {
	return Object(map[string]any{"data": Schema{"type": "array", "items": item}, "pagination": Ref("Pagination")}, "data", "pagination")
}

// Ref points at a component schema by name.
func Ref(name string) Schema { return Schema{"$ref": "#/components/schemas/" + name} }

// Any accepts any JSON value (a stored payload passed through).
var Any = Schema{}

// Text is a plain string.
var Text = Schema{"type": "string"}

var (
	timeType   = reflect.TypeFor[time.Time]()
	rawType    = reflect.TypeFor[json.RawMessage]()
	schemaType = reflect.TypeFor[Schema]()
	marshaler  = reflect.TypeFor[json.Marshaler]()
)

// reflector turns Go values into schemas the way encoding/json writes and
// reads them, collecting exported named structs as components.
type reflector struct {
	components map[string]any
	names      map[reflect.Type]string
	// request writes request bodies: inline, nothing required (absent
	// fields keep their defaults), unknown fields refused as the
	// decoder does.
	request bool
}

func newReflector() *reflector {
	return &reflector{components: map[string]any{}, names: map[reflect.Type]string{}}
}

// of returns the schema of v: a Schema as is, nil as no schema, anything
// else by reflection on its type.
func (r *reflector) of(v any) any {
	switch s := v.(type) {
	case nil:
		return nil
	case Schema:
		return r.walkSchema(s)
	}
	return r.typ(reflect.TypeOf(v))
}

// walkSchema reflects Go values placed inside a hand-written schema.
func (r *reflector) walkSchema(s Schema) Schema {
	out := Schema{}
	for k, v := range s {
		switch k {
		case "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = r.of(p)
			}
			out[k] = props
		case "items", "additionalProperties":
			if b, ok := v.(bool); ok {
				out[k] = b
			} else {
				out[k] = r.of(v)
			}
		case "oneOf", "anyOf", "allOf":
			var list []any
			for _, p := range v.([]any) {
				list = append(list, r.of(p))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	return out
}

func (r *reflector) typ(t reflect.Type) any {
	if t == schemaType {
		return Schema{}
	}
	switch {
	case t == timeType:
		return Schema{"type": "string", "format": "date-time"}
	case t == rawType:
		return Schema{}
	case t.Kind() == reflect.Pointer:
		return nullable(r.typ(t.Elem()))
	case t.Implements(marshaler) && t.Kind() != reflect.Struct:
		return Schema{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Interface:
		return Schema{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "contentEncoding": "base64"}
		}
		return Schema{"type": "array", "items": r.typ(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": r.typ(t.Elem())}
	case reflect.Struct:
		if inner, ok := optional(t); ok {
			return nullable(r.typ(inner))
		}
		return r.structType(t)
	}
	return Schema{}
}

// optional recognises the domains' opt[T] PATCH fields (Set, Null, Value
// with a custom decoder): they read as a nullable T.
func optional(t reflect.Type) (reflect.Type, bool) {
	if t.NumField() != 3 || t.Field(0).Name != "Set" || t.Field(1).Name != "Null" || t.Field(2).Name != "Value" {
		return nil, false
	}
	return t.Field(2).Type, true
}

func (r *reflector) structType(t reflect.Type) any {
	name := componentName(t)
	if name == "" || r.request {
		return r.structSchema(t)
	}
	if n, ok := r.names[t]; ok {
		return Ref(n)
	}
	r.names[t] = name
	r.components[name] = Schema{} // reserve: recursion refers to it
	r.components[name] = r.structSchema(t)
	return Ref(name)
}

// componentName names exported, non-generic structs after package and
// type (KanbanBoard); others are written inline.
func componentName(t reflect.Type) string {
	n := t.Name()
	if n == "" || strings.Contains(n, "[") || !unicode.IsUpper(rune(n[0])) {
		return ""
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "" {
		return n
	}
	if strings.HasPrefix(n, strings.ToUpper(pkg[:1])+pkg[1:]) {
		return n
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + n
}

func (r *reflector) structSchema(t reflect.Type) Schema {
	props := map[string]any{}
	var required []string
	r.fields(t, props, &required)
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 && !r.request {
		s["required"] = required
	}
	if r.request {
		s["additionalProperties"] = false
	}
	return s
}

// fields adds t's JSON fields, flattening embedded structs as
// encoding/json does.
func (r *reflector) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				r.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := r.typ(f.Type)
		if strings.Contains(opts, "string") {
			s = Schema{"type": "string"}
		}
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if !omit {
			if k := f.Type.Kind(); k == reflect.Slice || k == reflect.Map {
				s = nullable(s) // a nil slice or map is written as null
			}
			if _, isOpt := optionalField(f.Type); !isOpt {
				*required = append(*required, name)
			}
		}
		props[name] = s
	}
}

func optionalField(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	return optional(t)
}

// nullable widens s to also accept null.
func nullable(s any) any {
	m, ok := s.(Schema)
	if !ok || len(m) == 0 {
		return s
	}
	if _, ref := m["$ref"]; ref {
		return Schema{"oneOf": []any{m, Schema{"type": "null"}}}
	}
	out := Schema{}
	for k, v := range m {
		out[k] = v
	}
	if ty, ok := m["type"].(string); ok {
		out["type"] = []string{ty, "null"}
	}
	return out
}
