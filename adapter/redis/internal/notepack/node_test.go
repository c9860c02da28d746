//go:build !js

package notepack

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
)

type nodeReply struct {
	OK    bool   `json:"ok"`
	Hex   string `json:"hex"`
	Desc  any    `json:"desc"`
	JSON  string `json:"json"`
	Error string `json:"error"`
}

// runNode sends commands to interop/cluster/notepack.js and returns its
// replies, one per command.
func runNode(t *testing.T, cmds []map[string]string) []nodeReply {
	t.Helper()
	var in bytes.Buffer
	for _, c := range cmds {
		b, _ := json.Marshal(c)
		in.Write(b)
		in.WriteByte('\n')
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out := nodetest.Run(t, ctx, &in, "cluster/notepack.js")
	var replies []nodeReply
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r nodeReply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("node output %q: %v", sc.Text(), err)
		}
		replies = append(replies, r)
	}
	if len(replies) != len(cmds) {
		t.Fatalf("node answered %d of %d commands", len(replies), len(cmds))
	}
	return replies
}

// TestEncodeMatchesNode: Encode writes every case byte for byte as
// notepack.io's encode.
func TestEncodeMatchesNode(t *testing.T) {
	cases := encodeCases()
	cmds := make([]map[string]string, len(cases))
	for i, c := range cases {
		cmds[i] = map[string]string{"op": "encode", "js": c.js}
	}
	replies := runNode(t, cmds)
	for i, c := range cases {
		if !replies[i].OK {
			t.Fatalf("%s: node: %s", c.name, replies[i].Error)
		}
		got, err := Encode(c.go_)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if h := hex.EncodeToString(got); h != replies[i].Hex {
			t.Errorf("%s:\n go   %s\n node %s", c.name, short(h), short(replies[i].Hex))
		}
	}
}

func short(h string) string {
	if len(h) > 200 {
		return h[:200] + "..."
	}
	return h
}

// decodeInputs are the encoded cases plus the hand-made decode cases.
func decodeInputs(t *testing.T) (names, hexes []string) {
	for _, c := range encodeCases() {
		b, err := Encode(c.go_)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, "encoded "+c.name)
		hexes = append(hexes, hex.EncodeToString(b))
	}
	for _, c := range decodeCases {
		names = append(names, c.name)
		hexes = append(hexes, c.hex)
	}
	return names, hexes
}

// TestDecodeMatchesNode: Decode reads every input as notepack.io's decode
// does, and fails exactly where it throws.
func TestDecodeMatchesNode(t *testing.T) {
	names, hexes := decodeInputs(t)
	checkDecodeAgainstNode(t, names, hexes)
}

func checkDecodeAgainstNode(t *testing.T, names, hexes []string) {
	t.Helper()
	cmds := make([]map[string]string, len(hexes))
	for i, h := range hexes {
		cmds[i] = map[string]string{"op": "decode", "hex": h}
	}
	replies := runNode(t, cmds)
	for i, name := range names {
		b, _ := hex.DecodeString(hexes[i])
		v, err := Decode(b)
		r := replies[i]
		if (err == nil) != r.OK {
			t.Errorf("%s (%s): go err %v, node ok=%v %s", name, short(hexes[i]), err, r.OK, r.Error)
			continue
		}
		if err != nil {
			continue
		}
		// Compare through JSON, as node's desc went through it.
		gb, _ := json.Marshal(describe(v))
		var g any
		_ = json.Unmarshal(gb, &g)
		if !reflect.DeepEqual(g, r.Desc) {
			nb, _ := json.Marshal(r.Desc)
			t.Errorf("%s (%s):\n go   %s\n node %s", name, short(hexes[i]), short(string(gb)), short(string(nb)))
		}
	}
}

// TestJSONMatchesNode: AppendJSON (without attachments) writes what
// JSON.stringify writes for every decodable input.
func TestJSONMatchesNode(t *testing.T) {
	names, hexes := decodeInputs(t)
	cmds := make([]map[string]string, len(hexes))
	for i, h := range hexes {
		cmds[i] = map[string]string{"op": "json", "hex": h}
	}
	replies := runNode(t, cmds)
	n := 0
	for i, name := range names {
		b, _ := hex.DecodeString(hexes[i])
		v, err := Decode(b)
		if err != nil || !replies[i].OK {
			continue
		}
		if _, u := v.(Undefined); u {
			continue // JSON.stringify(undefined) is not JSON
		}
		got, err := AppendJSON(nil, v, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != replies[i].JSON {
			t.Errorf("%s:\n go   %s\n node %s", name, short(string(got)), short(replies[i].JSON))
		}
		n++
		// And JSON.parse of it reads back to the same JSON.
		back, err := FromJSON(got, nil)
		if err != nil {
			t.Errorf("%s: FromJSON: %v", name, err)
			continue
		}
		again, _ := AppendJSON(nil, back, nil)
		if !bytes.Equal(again, got) {
			t.Errorf("%s: JSON round trip:\n %s\n %s", name, short(string(got)), short(string(again)))
		}
	}
	if n < 50 {
		t.Fatalf("only %d cases compared", n)
	}
	_ = strings.TrimSpace
}
