//go:build !js

package notepack

import (
	"math"
	"strings"
)

// encodeCase is a value written by Go (goValue) and by notepack.io (js, a
// JavaScript expression): the bytes must be the same.
type encodeCase struct {
	name string
	js   string
	go_  any
}

func encodeCases() []encodeCase {
	s := func(n int) string { return strings.Repeat("x", n) }
	bin := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	many := make([]any, 70)
	for i := range many {
		many[i] = float64(i)
	}
	bigMap := &Map{}
	js16 := "{"
	for i := range 17 {
		k := "k" + string(rune('a'+i))
		bigMap.Set(k, float64(i))
		js16 += k + ":" + itoa(i) + ","
	}
	js16 += "}"
	return []encodeCase{
		{"null", "null", nil},
		{"undefined", "undefined", Undefined{}},
		{"true", "true", true},
		{"false", "false", false},
		{"0", "0", 0.0},
		{"-0", "-0", math.Copysign(0, -1)},
		{"127", "127", 127.0},
		{"128", "128", 128.0},
		{"255", "255", 255.0},
		{"256", "256", 256.0},
		{"65535", "65535", 65535.0},
		{"65536", "65536", 65536.0},
		{"2^32-1", "2**32-1", 4294967295.0},
		{"2^32", "2**32", 4294967296.0},
		{"2^53", "2**53", 9007199254740992.0},
		{"2^63", "2**63", 9223372036854775808.0},
		{"2^64", "2**64", 18446744073709551616.0},
		{"2^70+", "2**70 + 2**20", math.Pow(2, 70) + math.Pow(2, 20)},
		{"1e300", "1e300", 1e300},
		{"-1", "-1", -1.0},
		{"-32", "-32", -32.0},
		{"-33", "-33", -33.0},
		{"-128", "-128", -128.0},
		{"-129", "-129", -129.0},
		{"-32768", "-32768", -32768.0},
		{"-32769", "-32769", -32769.0},
		{"-2^31", "-(2**31)", -2147483648.0},
		{"-2^31-1", "-(2**31)-1", -2147483649.0},
		{"-2^53", "-(2**53)", -9007199254740992.0},
		{"-2^63", "-(2**63)", -9223372036854775808.0},
		{"-2^64", "-(2**64)", -18446744073709551616.0},
		{"-2^70", "-(2**70)", -math.Pow(2, 70)},
		{"1.5", "1.5", 1.5},
		{"0.1", "0.1", 0.1},
		{"-2.5e-300", "-2.5e-300", -2.5e-300},
		{"min denormal", "5e-324", 5e-324},
		{"NaN", "NaN", math.NaN()},
		{"Infinity", "Infinity", math.Inf(1)},
		{"-Infinity", "-Infinity", math.Inf(-1)},
		{"go int", "300", 300},
		{"go int64", "-70000", int64(-70000)},
		{"go uint64", "2**63", uint64(1 << 63)},
		{"empty string", `""`, ""},
		{"str 31", `"` + s(31) + `"`, s(31)},
		{"str 32", `"` + s(32) + `"`, s(32)},
		{"str 255", `"` + s(255) + `"`, s(255)},
		{"str 256", `"` + s(256) + `"`, s(256)},
		{"str 65536", `"` + s(65536) + `"`, s(65536)},
		{"unicode", `"é✓😀\u0000"`, "é✓😀\x00"},
		{"buffer", "Buffer.from([0,1,2,123,254,255])", []byte{0, 1, 2, 123, 254, 255}},
		{"empty buffer", "Buffer.alloc(0)", []byte{}},
		{"buffer 300", "Buffer.from(Array.from({length:300},(_, i)=>(i*7)&255))", bin(300)},
		{"buffer 70000", "Buffer.from(Array.from({length:70000},(_, i)=>(i*7)&255))", bin(70000)},
		{"arraybuffer", "new Uint8Array([1,2,3]).buffer", ArrayBuffer{1, 2, 3}},
		{"typed array", "new Uint8Array([9,8])", []byte{9, 8}},
		{"date 0", "new Date(0)", Date(0)},
		{"date now", "new Date(1796187337768)", Date(1796187337768)},
		{"date whole s", "new Date(1000)", Date(1000)},
		{"date -1", "new Date(-1)", Date(-1)},
		{"date -1500", "new Date(-1500)", Date(-1500)},
		{"date 2^32 s", "new Date(2**32*1000)", Date(4294967296000)},
		{"date 2^34 s", "new Date(2**34*1000 + 5)", Date(17179869184005)},
		{"date max", "new Date(8.64e15)", Date(8.64e15)},
		{"date min", "new Date(-8.64e15)", Date(-8.64e15)},
		{"invalid date", "new Date(NaN)", Date(math.NaN())},
		{"empty array", "[]", []any{}},
		{"array", `[1,"a",null,undefined]`, []any{1.0, "a", nil, Undefined{}}},
		{"array 70", "Array.from({length:70},(_, i)=>i)", many},
		{"strings", `["a","b"]`, []string{"a", "b"}},
		{"empty object", "{}", &Map{}},
		{"object", `{a:1,b:"x"}`, NewMap("a", 1.0, "b", "x")},
		{"index keys", `{b:1,"2":1,"1":2,a:3,"01":4}`, NewMap("b", 1.0, "2", 1.0, "1", 2.0, "a", 3.0, "01", 4.0)},
		{"undefined property", `{a:undefined,b:1}`, NewMap("a", Undefined{}, "b", 1.0)},
		{"object 17", js16, bigMap},
		{"go map", `{a:1,b:[true]}`, map[string]any{"b": []any{true}, "a": 1}},
		{"classic broadcast", `["rOEJt2",{type:2,data:["ev88",{check:"bcast all from n1",seq:88,blob:{n:88,s:"é✓"}}],nsp:"/"},{rooms:[],except:[],flags:{}}]`,
			[]any{"rOEJt2", NewMap("type", 2, "data", []any{"ev88", NewMap("check", "bcast all from n1", "seq", 88, "blob", NewMap("n", 88, "s", "é✓"))}, "nsp", "/"),
				NewMap("rooms", []string{}, "except", []string{}, "flags", &Map{})}},
		{"nested binary", `{a:[Buffer.from([1]),{b:new Date(5)}]}`, NewMap("a", []any{[]byte{1}, NewMap("b", Date(5))})},
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

// decodeCases are bytes notepack.io reads (or rejects) in particular ways.
var decodeCases = []struct{ name, hex string }{
	{"undefined fixext1", "d40000"},
	{"fixext1 other type", "d40705"},
	{"fixext2", "d5fe0102"},
	{"fixext4 type 3", "d60301020304"},
	{"fixext16", "d805000102030405060708090a0b0c0d0e0f"},
	{"arraybuffer ext8", "c70300010203"},
	{"arraybuffer ext16", "c8000200aabb"},
	{"arraybuffer ext32", "c90000000100ff"},
	{"ext8 other type", "c7020701ff"},
	{"ext16 type -1", "c80002ff0102"},
	{"legacy date", "d70000000001a2b3c4d5"},
	{"negative legacy date", "d700ffffffff00000000"},
	{"ts32", "d6ff6a8b9c00"},
	{"ts64", "d7ff0bebc200000000017b"},
	{"ts64 max ns", "d7ffffffffff00000001"},
	{"ts96", "c70cff1dcd6500fffffffffffffffe"},
	{"ts96 out of range", "c70cff000000007fffffff00000000"},
	{"ts96 wrong length", "c705ff000000000000000000000000"},
	{"float32", "ca3fc00000"},
	{"float32 nan", "ca7fc00000"},
	{"uint64 max", "cfffffffffffffffff"},
	{"int64 min", "d38000000000000000"},
	{"int64 -1", "d3ffffffffffffffff"},
	{"uint8", "ccff"},
	{"int8", "d080"},
	{"map int key", "8101a161"},
	{"map float key", "81cb3ff8000000000000a161"},
	{"map nil key", "81c0c3"},
	{"map bool key", "81c2c3"},
	{"map undefined key", "81d40000c3"},
	{"map repeated key", "82a16101a16102"},
	{"map index keys", "83a16201a13202a13103"},
	{"map __proto__ key", "82a95f5f70726f746f5f5f80a16101"},
	{"map __proto__ primitive", "81a95f5f70726f746f5f5f01"},
	{"map16", "de0001a16101"},
	{"map32", "df00000001a16101"},
	{"array16", "dc000101"},
	{"array32", "dd0000000101"},
	{"str8", "d903616263"},
	{"str16", "da0003616263"},
	{"str32", "db00000003616263"},
	{"bin16", "c5000201ff"},
	{"bin32", "c60000000201ff"},
	{"invalid utf-8 byte", "a461ff6263"},
	{"invalid utf-8 bytes", "a3ffff61"},
	{"truncated 3-byte sequence", "a3e28261"},
	{"truncated 4-byte sequence", "a4f09f9861"},
	{"surrogate in utf-8", "a3eda080"},
	{"overlong", "a2c0af"},
	{"bad second byte e0", "a3e08080"},
	{"f4 past max", "a4f4908080"},
	{"lone continuation", "a280bf"},
	{"empty", ""},
	{"c1", "c1"},
	{"trailing byte", "0101"},
	{"truncated str", "a3616263"[:6]},
	{"truncated array", "920101"[:4]},
	{"truncated uint16", "cd01"},
	{"truncated bin", "c40501"},
	{"truncated ext", "c70500"},
	{"array of 2^32-1", "ddffffffff"},
	{"map of 2^32-1", "dfffffffff"},
	{"str of 2^32-1", "dbffffffff"},
	{"bin of 2^32-1", "c6ffffffff"},
}
