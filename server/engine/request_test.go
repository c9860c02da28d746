package engine

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestRequestInfoHeaderAndQuery(t *testing.T) {
	r := httptest.NewRequest("GET", "/engine.io/?EIO=4&transport=websocket&a=1&a=2&b=%20x", nil)
	r.Header = http.Header{
		"User-Agent":    {"test"},
		"X-Multi":       {"one", "two: three"},
		"Cookie":        {"a=b; c=d"},
		"Empty":         {""},
		"Accept-Encode": {"gzip, deflate"},
	}
	info := newRequestInfo(r)
	if got := info.Header(); !reflect.DeepEqual(got, r.Header) {
		t.Errorf("Header() = %v, want %v", got, r.Header)
	}
	h := info.Header()
	h.Set("User-Agent", "changed") // the caller owns the map
	if info.Header().Get("User-Agent") != "test" {
		t.Error("a change to a returned Header reached the RequestInfo")
	}
	q := info.Query()
	if q.Get("EIO") != "4" || q.Get("b") != " x" || !reflect.DeepEqual(q["a"], []string{"1", "2"}) {
		t.Errorf("Query() = %v", q)
	}
	if info.URL != "/engine.io/?EIO=4&transport=websocket&a=1&a=2&b=%20x" {
		t.Errorf("URL = %q", info.URL)
	}
}

func BenchmarkNewRequestInfo(b *testing.B) {
	r := httptest.NewRequest("GET", "/engine.io/?EIO=4&transport=websocket", nil)
	r.Header = http.Header{
		"Upgrade":               {"websocket"},
		"Connection":            {"Upgrade"},
		"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
		"Sec-Websocket-Version": {"13"},
		"User-Agent":            {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"},
		"Accept-Language":       {"en-US,en;q=0.9"},
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = newRequestInfo(r)
	}
}
