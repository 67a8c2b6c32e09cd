package providersim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// decodeBody parses a JSON body the way body-parser and Evolution's
// jsonschema validation do: an empty body is an empty object, malformed
// JSON is a plain 400, a wrongly typed property a schema 400.
func (c *evoCall) decodeBody(v any) bool {
	if len(strings.TrimSpace(string(c.body))) == 0 {
		return true
	}
	err := decodeExact(c.body, reflect.ValueOf(v).Elem(), "")
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "instance"
		}
		c.badSchema(fmt.Sprintf("%s is not of a type(s) %s", field, jsType(typeErr.Type.Kind())))
	default: // body-parser's SyntaxError, message as a plain string
		c.reply(http.StatusBadRequest, evoErr(http.StatusBadRequest, err.Error()))
	}
	return false
}

// decodeExact fills the struct dst from raw matching keys exactly, as a
// JavaScript property lookup does; encoding/json alone would also take
// "InstanceName" for "instanceName" and hide a client's typo. The last of
// duplicate keys wins, as in JSON.parse.
func decodeExact(raw []byte, dst reflect.Value, path string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &json.UnmarshalTypeError{Value: te.Value, Type: dst.Type(), Field: path}
		}
		return err
	}
	t := dst.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		val, ok := obj[name]
		if name == "" || !ok {
			continue
		}
		field, fpath := dst.Field(i), name
		if path != "" {
			fpath = path + "." + name
		}
		if ft := field.Type(); ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			if string(val) == "null" {
				continue
			}
			field.Set(reflect.New(ft.Elem()))
			if err := decodeExact(val, field.Elem(), fpath); err != nil {
				return err
			}
			continue
		}
		if err := json.Unmarshal(val, field.Addr().Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return &json.UnmarshalTypeError{Value: te.Value, Type: te.Type, Field: fpath}
			}
			return err
		}
	}
	return nil
}

func jsType(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	default:
		return "object"
	}
}
