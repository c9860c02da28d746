//go:build !js

package main

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseCommandCalls(t *testing.T) {
	info := "# Commandstats\r\n" +
		"cmdstat_publish:calls=120,usec=900,usec_per_call=7.50,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_xadd:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_spublish:calls=3,usec=1,usec_per_call=0.33,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_xread:calls=1000,usec=1,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_psubscribe:calls=2,usec=1,usec_per_call=0.50\r\n"
	n, err := parseCommandCalls(info, redisMessageCommands)
	if err != nil || n != 130 {
		t.Fatalf("parseCommandCalls = %d, %v; want 130", n, err)
	}
	if n, err := parseCommandCalls("# Commandstats\r\n", redisMessageCommands); err != nil || n != 0 {
		t.Fatalf("no command yet: %d, %v; want 0", n, err)
	}
	if _, err := parseCommandCalls("cmdstat_xadd:calls=x,usec=1\r\n", redisMessageCommands); err == nil {
		t.Fatal("bad calls figure accepted")
	}
	if _, err := parseCommandCalls("cmdstat_publish:usec=1\r\n", redisMessageCommands); err == nil {
		t.Fatal("line without calls accepted")
	}
}

func TestReadReply(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"+PONG\r\n", "PONG", false},
		{":42\r\n", "42", false},
		{"$5\r\nhello\r\n", "hello", false},
		{"$0\r\n\r\n", "", false},
		{"$-1\r\n", "", false},
		{"-ERR unknown command\r\n", "", true},
		{"$5\r\nhel", "", true},            // short
		{"$3\r\nhello\r\n", "", true},      // not ended by CRLF
		{"$x\r\n", "", true},               // bad length
		{"$99999999999\r\n", "", true},     // too long
		{"*1\r\n$4\r\nPING\r\n", "", true}, // arrays are not read
		{"\r\n", "", true},
		{"", "", true},
	} {
		got, err := readReply(bufio.NewReader(strings.NewReader(tc.in)))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("readReply(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if _, err := readReply(bufio.NewReader(strings.NewReader("-ERR x\r\n"))); !errors.Is(err, errRedisReply) {
		t.Errorf("error reply: %v, want errRedisReply", err)
	}
}

func TestParseLoadAvg(t *testing.T) {
	if v, err := parseLoadAvg("7.77 9.01 9.11 3/812 12345\n"); err != nil || v != 7.77 {
		t.Fatalf("parseLoadAvg = %v, %v", v, err)
	}
	for _, bad := range []string{"", "x 1 2"} {
		if _, err := parseLoadAvg(bad); err == nil {
			t.Errorf("parseLoadAvg(%q) accepted", bad)
		}
	}
}

// TestClusterGoals: the goals come from the medians of the cluster runs; a
// mode whose runs failed shows no figure and no verdict.
func TestClusterGoals(t *testing.T) {
	cc := &clusterConfig{modes: []string{"streams", "classic"}, clients: 10}
	scs := clusterScenarios(cc)
	r := newResults(scs)
	r.add(scs[0], "duplex", []metric{{name: cmP99Single, unit: "ms", value: 2}})
	r.add(scs[0], "duplex", []metric{{name: cmP99Single, unit: "ms", value: 4}})
	r.add(scs[0], "node", []metric{{name: cmP99Single, unit: "ms", value: 10}})
	for _, v := range []float64{600_000, 500_000, 700_000} {
		r.add(scs[1], "duplex", []metric{{name: cmMsgsPerCore, unit: "1/s", value: v}, {name: cmP99Cross, unit: "ms", value: 5}})
	}
	r.add(scs[1], "node", []metric{{name: cmMsgsPerCore, unit: "1/s", value: 200_000}, {name: cmP99Cross, unit: "ms", value: 30}})
	r.fail(scs[2], "duplex", errors.New("lost"))
	r.add(scs[2], "node", []metric{{name: cmMsgsPerCore, unit: "1/s", value: 100_000}})

	got := clusterGoals(r, cc.modes, []string{"duplex", "node"})
	want := []struct {
		mode  string
		value float64
		ok    bool
		met   bool
	}{
		{"streams", 3, true, false},      // 600k / 200k
		{"streams", 5.0 / 3, true, true}, // 5 ms over the median 3 ms
		{"streams", 3, true, false},      // 30 ms over 10 ms
		{"classic", 0, false, false},     // duplex failed
		{"classic", 0, false, false},     // no cross-node figure
		{"classic", 0, false, false},
	}
	if len(got) != len(want) {
		t.Fatalf("%d goals, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.mode != w.mode || g.ok != w.ok || g.met != w.met || (g.ok && (g.value < w.value-1e-9 || g.value > w.value+1e-9)) {
			t.Errorf("goal %d = %+v; want %+v", i, g, w)
		}
	}
	var b bytes.Buffer
	writeClusterGoals(&b, got)
	out := b.String()
	for _, s := range []string{"| streams | duplex ≥ 5× Node's throughput per server core |", "| 3.00× | **no** |", "| 1.67× | yes |", "— (no figure"} {
		if !strings.Contains(out, s) {
			t.Errorf("goals table lacks %q:\n%s", s, out)
		}
	}
}

func TestParseProcIO(t *testing.T) {
	io := "rchar: 1948\nwchar: 2\nsyscr: 7\nsyscw: 1234\nread_bytes: 0\n"
	if n, err := parseProcIO(io, "syscw"); err != nil || n != 1234 {
		t.Fatalf("syscw = %d, %v; want 1234", n, err)
	}
	for _, bad := range []string{"syscr: 7\n", "syscw: -1\n", "syscw: x\n"} {
		if _, err := parseProcIO(bad, "syscw"); err == nil {
			t.Errorf("parseProcIO(%q) accepted", bad)
		}
	}
}
