//go:build !js

package notepack

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func addDecodeSeeds(f *testing.F) {
	for _, c := range encodeCases() {
		b, err := Encode(c.go_)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 4096 {
			f.Add(b)
		}
	}
	for _, c := range decodeCases {
		b, _ := hex.DecodeString(c.hex)
		f.Add(b)
	}
}

// FuzzDecode: Decode never panics; what it reads, Encode writes, and that
// reads back to the same bytes; AppendJSON writes it.
func FuzzDecode(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		enc, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode of a decoded value: %v", err)
		}
		// Like notepack.io, Encode wraps integers past 64 bits: the bytes
		// are stable from the second round on.
		enc2 := roundTrip(t, enc)
		if enc3 := roundTrip(t, enc2); !bytes.Equal(enc2, enc3) {
			t.Fatalf("not stable: %x then %x", enc2, enc3)
		}
		var att [][]byte
		js, err := AppendJSON(nil, v, &att)
		if err != nil {
			t.Fatalf("AppendJSON: %v", err)
		}
		if _, err := FromJSON(js, att); err != nil && len(att) > 0 {
			t.Fatalf("FromJSON of %s: %v", js, err)
		}
	})
}

// FuzzFromJSON: FromJSON never panics, and what it reads AppendJSON writes
// back to JSON that reads the same.
func FuzzFromJSON(f *testing.F) {
	for _, s := range []string{`null`, `[1,"a",{"b":[true,false,null]}]`, `{"2":1,"1":2,"a":3,"a":4}`,
		`["ev",{"_placeholder":true,"num":0}]`, `1e400`, `-0`, `0.1`, `"\u2028\ud83d\ude00"`, `{"__proto__":1}`,
		`[1e21,1e-7,123456789012345680000]`, `{"_placeholder":true,"num":5}`, `[`, `{"a"}`, `"\ud800"`} {
		f.Add([]byte(s), []byte{1, 2})
	}
	f.Fuzz(func(t *testing.T, data, att []byte) {
		diffJSON(t, data)
		atts := [][]byte{att}
		v, err := FromJSON(data, atts)
		if err != nil {
			return
		}
		var out [][]byte
		js, err := AppendJSON(nil, v, &out)
		if err != nil {
			t.Fatalf("AppendJSON: %v", err)
		}
		v2, err := FromJSON(js, out)
		if err != nil {
			t.Fatalf("FromJSON of %s: %v", js, err)
		}
		var out2 [][]byte
		js2, _ := AppendJSON(nil, v2, &out2)
		if !bytes.Equal(js, js2) || len(out) != len(out2) {
			t.Fatalf("not stable: %s then %s", js, js2)
		}
	})
}

// diffJSON checks FromJSON against encoding/json: the same inputs are valid
// and, for valid UTF-8 in range, they read the same values.
func diffJSON(t *testing.T, data []byte) {
	v, err := FromJSON(data, nil)
	if errors.Is(err, ErrDepth) {
		return
	}
	if (err == nil) != json.Valid(data) {
		t.Fatalf("FromJSON(%q): %v, but json.Valid says %v", data, err, json.Valid(data))
	}
	if err != nil || !utf8.Valid(data) {
		return
	}
	var want any
	if json.Unmarshal(data, &want) != nil {
		return // a number out of range: encoding/json refuses, JSON.parse gives Infinity
	}
	js, err := AppendJSON(nil, v, nil)
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	var got any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatalf("AppendJSON wrote invalid JSON %q: %v", js, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FromJSON(%q) = %s, encoding/json reads %#v", data, js, want)
	}
}

// TestCorpusMatchesNode decodes the committed fuzz corpus with Go and Node:
// they agree on every input (and on where they fail).
func TestCorpusMatchesNode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus in testdata/fuzz/FuzzDecode")
	}
	var names, hexes []string
	for _, p := range files {
		b, err := readCorpusBytes(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		names = append(names, filepath.Base(p))
		hexes = append(hexes, hex.EncodeToString(b))
	}
	checkDecodeAgainstNode(t, names, hexes)
}

// readCorpusBytes reads a "go test fuzz v1" file holding one []byte.
func readCorpusBytes(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitN(strings.TrimSpace(string(data)), "\n", 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		return nil, os.ErrInvalid
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	return []byte(s), err
}

// roundTrip decodes and encodes again.
func roundTrip(t *testing.T, b []byte) []byte {
	t.Helper()
	v, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode of %x (Encode of a decoded value): %v", b, err)
	}
	out, err := Encode(v)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return out
}
