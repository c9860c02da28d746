package engine

import (
	"net/url"
	"testing"
)

// TestQueryValue: queryValue agrees with url.ParseQuery(q).Get.
func TestQueryValue(t *testing.T) {
	for _, q := range []string{
		"", "EIO=4&transport=polling&sid=abc", "EIO=3&EIO=4", "a;b=1&EIO=4", "EIO=%34", "E%49O=4",
		"EIO=%zz&EIO=4", "sid=a+b", "sid", "sid=&sid=x", "&&EIO=4&", "%zz=1&EIO=4", "EIO=4;x",
	} {
		want, _ := url.ParseQuery(q)
		for _, k := range []string{"EIO", "transport", "sid"} {
			if got := queryValue(q, k); got != want.Get(k) {
				t.Errorf("queryValue(%q, %q) = %q, want %q", q, k, got, want.Get(k))
			}
		}
	}
}

func FuzzQueryValue(f *testing.F) {
	f.Add("EIO=4&transport=polling&sid=abc", "sid")
	f.Add("E%49O=%34;&EIO=4", "EIO")
	f.Add("a+b=c+d", "a b")
	f.Fuzz(func(t *testing.T, q, k string) {
		want, _ := url.ParseQuery(q)
		if got := queryValue(q, k); got != want.Get(k) {
			t.Fatalf("queryValue(%q, %q) = %q, want %q", q, k, got, want.Get(k))
		}
	})
}

// FuzzParseRequestQuery: parseRequestQuery agrees with queryValue (and so
// with url.ParseQuery) for the three keys it reads.
func FuzzParseRequestQuery(f *testing.F) {
	f.Add("EIO=4&transport=polling&sid=abc")
	f.Add("sid=&sid=x&EIO&EIO=3&transport=websocket&t=P1")
	f.Add("E%49O=%34;&EIO=4")
	f.Add("&&transport=a=b&sid=c+d")
	f.Fuzz(func(t *testing.T, q string) {
		got := parseRequestQuery(q)
		want := requestQuery{queryValue(q, "EIO"), queryValue(q, "transport"), queryValue(q, "sid")}
		if got != want {
			t.Fatalf("parseRequestQuery(%q) = %+v, want %+v", q, got, want)
		}
	})
}
