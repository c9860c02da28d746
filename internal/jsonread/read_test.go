package jsonread

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

var seeds = []string{
	`""`, `"abc"`, `"h\u00e9llo"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\ud83d\u0041"`,
	`"a\"b\\c\/d\b\f\n\r\t"`, "\"\xff\xfe\"", "\"h\xc3\xa9\"", `"unterminated`, `"ctl` + "\x01" + `"`,
	`"\x"`, `"\u12"`, `"a" `, ` "a"`, `null`, `12`, `{}`, `{"sid":"x","pid":"y"}`,
	`{"SID":"x","sid":"y","Sid":"z"}`, `{"a":1,"a":2}`, `{"a":[1,{"b":null}],"c":"d"}`, `{"a":1,}`,
	`[1,2,"x",null,{"a":[]}]`, `[]`, `[1,]`, ` { "k" : "v" } `, `{"ſid":"long s","sıd":"dotless"}`,
	`-0`, `1.0`, `1e3`, `9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `true`,
}

func FuzzUnquote(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Unquote([]byte(s))
		var want string
		err := json.Unmarshal([]byte(s), &want)
		wantOK := err == nil && len(s) > 0 && s[0] == '"' && s[len(s)-1] == '"'
		if ok != wantOK || got != want && ok {
			t.Fatalf("Unquote(%q) = %q, %v; json.Unmarshal: %q, %v", s, got, ok, want, err)
		}
	})
}

// FuzzObject compares Object with json.Unmarshal into map[string]json.RawMessage.
func FuzzObject(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := map[string]json.RawMessage{}
		ok := Object([]byte(s), func(k string, v []byte) bool {
			got[k] = append(json.RawMessage(nil), v...)
			return true
		})
		want := map[string]json.RawMessage{}
		err := json.Unmarshal([]byte(s), &want)
		isObj := strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{")
		if ok != (err == nil && isObj) {
			t.Fatalf("Object(%q) ok %v; json.Unmarshal: %v", s, ok, err)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("Object(%q) = %q; json.Unmarshal: %q", s, got, want)
		}
	})
}

// FuzzArray compares Array with json.Unmarshal into []json.RawMessage.
func FuzzArray(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := []json.RawMessage{}
		ok := Array([]byte(s), func(v []byte) bool {
			got = append(got, append(json.RawMessage(nil), v...))
			return true
		})
		want := []json.RawMessage{}
		err := json.Unmarshal([]byte(s), &want)
		isArr := strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "[")
		if ok != (err == nil && isArr) {
			t.Fatalf("Array(%q) ok %v; json.Unmarshal: %v", s, ok, err)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("Array(%q) = %q; json.Unmarshal: %q", s, got, want)
		}
	})
}

func FuzzInt64(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid([]byte(s)) || IsNull([]byte(s)) {
			return
		}
		got, ok := Int64([]byte(strings.Trim(s, " \t\r\n"))) // a value as Object and Array give it
		var want int64
		err := json.Unmarshal([]byte(s), &want)
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("Int64(%q) = %d, %v; json.Unmarshal: %d, %v", s, got, ok, want, err)
		}
	})
}

// FuzzKeyMatches compares KeyMatches with json.Unmarshal into a struct with one field.
func FuzzKeyMatches(f *testing.F) {
	for _, k := range []string{"sid", "SID", "Sid", "ſid", "sıd", "pid", "message", "MESSAGE", "data", "ДАННЫЕ", "K", "\u212a"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		for _, name := range []string{"sid", "message", "k"} {
			doc, _ := json.Marshal(map[string]int{key: 1})
			var got int
			var err error
			switch name {
			case "sid":
				var v struct {
					X int `json:"sid"`
				}
				err = json.Unmarshal(doc, &v)
				got = v.X
			case "message":
				var v struct {
					X int `json:"message"`
				}
				err = json.Unmarshal(doc, &v)
				got = v.X
			case "k":
				var v struct {
					X int `json:"k"`
				}
				err = json.Unmarshal(doc, &v)
				got = v.X
			}
			if err != nil {
				t.Fatal(err)
			}
			// json.Marshal replaces invalid UTF-8 in the key: compare with the key it wrote.
			var m map[string]int
			_ = json.Unmarshal(doc, &m)
			for k := range m {
				if KeyMatches(k, name) != (got == 1) {
					t.Fatalf("KeyMatches(%q, %q) = %v; json.Unmarshal matched: %v", k, name, !(got == 1), got == 1)
				}
			}
		}
	})
}
