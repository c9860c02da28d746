package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

// BenchmarkSendWebsocket measures Send of a pre-encoded text message (100 B
// and 16 KB) to a connected websocket session, per delivered packet (the
// client reads every frame; at most 256 packets are in flight).
func BenchmarkSendWebsocket(b *testing.B) {
	for _, size := range []int{100, 16 << 10} {
		b.Run(strconv.Itoa(size)+"B", func(b *testing.B) { benchmarkSendWebsocket(b, size) })
	}
}

func benchmarkSendWebsocket(b *testing.B, size int) {
	ctx := context.Background()
	s, c := benchWebsocketSession(b, &Options{MaxQueuedPackets: 1 << 12, MaxQueuedBytes: 64 << 20})
	pkt := []eio.Packet{eio.TextMessage([]byte(strings.Repeat("x", size)))}
	window := make(chan struct{}, 256)
	done := make(chan error, 1)
	n := b.N
	go func() {
		for range n {
			_, r, err := c.Reader(ctx)
			if err != nil {
				done <- err
				return
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				done <- err
				return
			}
			<-window
		}
		done <- nil
	}()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range n {
		window <- struct{}{}
		if err := s.Send(pkt...); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSendWebsocketBurst measures a broadcast-like burst: 64 packets
// of 128 B queued at once to a websocket session, per delivered packet (the
// client reads the whole burst before the next one). The flush writes a
// burst with few write calls; run under strace -c -e trace=write to count
// them.
func BenchmarkSendWebsocketBurst(b *testing.B) {
	const burst = 64
	ctx := context.Background()
	s, c := benchWebsocketSession(b, &Options{})
	pkt := []eio.Packet{eio.TextMessage([]byte(strings.Repeat("x", 128)))}
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += burst {
		n := min(burst, b.N-sent)
		for range n {
			if err := s.Send(pkt...); err != nil {
				b.Fatal(err)
			}
		}
		for range n {
			_, data, err := c.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(data) != 129 {
				b.Fatalf("got %d bytes", len(data))
			}
		}
	}
}

// BenchmarkEchoWebsocket measures one round trip: the client writes a
// message, the server's handler sends it back, the client reads it.
func BenchmarkEchoWebsocket(b *testing.B) {
	srv := NewServer(echoOptions())
	hts := httptest.NewServer(srv)
	defer hts.Close()
	defer srv.Close(context.Background())
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hts.URL, "http")+"/?EIO=4&transport=websocket", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	if _, _, err := c.Read(ctx); err != nil { // open packet
		b.Fatal(err)
	}
	msg := []byte(`42["echo",{"n":1}]`)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPollingRoundTrip measures one POST of a message that the server
// echoes and the GET that fetches the echo (client included).
func BenchmarkPollingRoundTrip(b *testing.B) {
	srv := NewServer(echoOptions())
	hts := httptest.NewServer(srv)
	defer hts.Close()
	defer srv.Close(context.Background())
	benchPollingRoundTrip(b, hts.Client(), hts.URL)
}

// BenchmarkServePollingRoundTrip is BenchmarkPollingRoundTrip with the
// server run by Serve.
func BenchmarkServePollingRoundTrip(b *testing.B) {
	srv := NewServer(echoOptions())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, ServeOptions{Path: "/", HTTP: hs}) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer func() {
		client.CloseIdleConnections()
		_ = srv.Close(context.Background())
		cancel()
		<-done
		_ = hs.Close()
	}()
	benchPollingRoundTrip(b, client, "http://"+ln.Addr().String())
}

func benchPollingRoundTrip(b *testing.B, client *http.Client, base string) {
	res, err := client.Get(base + "/?EIO=4&transport=polling")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	p, _ := eio.DecodeText(body)
	hs, err := eio.ParseHandshake(p.Data)
	if err != nil {
		b.Fatal(err)
	}
	url := base + "/?EIO=4&transport=polling&sid=" + hs.SID
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := client.Post(url, "text/plain;charset=UTF-8", strings.NewReader("4hello"))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		res, err = client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(got) != "4hello" && !strings.HasPrefix(string(got), "2") {
			b.Fatalf("GET: %q", got)
		}
	}
}

// BenchmarkIdleWebsocketMemory opens 5000 websocket sessions from raw TCP
// clients (a net.Conn each, no goroutine) and reports the heap and stack
// bytes in use per idle session (server and the raw client sockets), and the
// growth of the process's RSS per session (meaningful on the first iteration
// of a fresh process only: run with -benchtime 1x -count 1).
func BenchmarkIdleWebsocketMemory(b *testing.B) {
	const conns = 5000
	for range b.N {
		srv := NewServer(&Options{Logger: discardLogger(), OnSession: func(s *Session) { s.SetHandler(discardHandler{}) }})
		hts := httptest.NewServer(srv)
		before, rssBefore, stackBefore := memInUse(), rss(), stackInUse()
		clients := make([]net.Conn, 0, conns)
		for range conns {
			c, err := rawWebsocket(hts.Listener.Addr().String(), "/")
			if err != nil {
				b.Fatal(err)
			}
			clients = append(clients, c)
		}
		after, rssAfter, stackAfter := memInUse(), rss(), stackInUse()
		b.ReportMetric(float64(after-before)/conns, "B/session")
		b.ReportMetric(float64(stackAfter-stackBefore)/conns, "stack-B/session")
		if rssBefore > 0 {
			// Includes the test's own client side (a socket per session).
			b.ReportMetric(float64(rssAfter-rssBefore)/conns, "RSS-B/session")
		}
		b.ReportMetric(float64(runtime.NumGoroutine())/conns, "goroutines/session")
		for _, c := range clients {
			c.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := srv.Close(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		hts.Close()
	}
}

// rss returns the resident set size of the process (0 where /proc is not
// available).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// stackInUse returns the bytes of goroutine stacks (after memInUse's GCs).
func stackInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// rawWebsocket opens an Engine.IO websocket session with a hand-written
// handshake and reads the 101 response and the open packet.
func rawWebsocket(addr, path string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = io.WriteString(c, "GET "+path+"?EIO=4&transport=websocket HTTP/1.1\r\nHost: "+addr+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(c, 1024)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, err
	}
	var hdr [2]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := io.ReadFull(br, make([]byte, hdr[1]&0x7f)); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// benchWebsocketSession starts a server with opts (its messages discarded)
// and a websocket client of it, and returns the server's session and the
// client, both closed when the benchmark ends.
func benchWebsocketSession(b *testing.B, opts *Options) (*Session, *websocket.Conn) {
	b.Helper()
	sessions := make(chan *Session, 1)
	opts.Logger = discardLogger()
	opts.OnSession = func(s *Session) {
		s.SetHandler(discardHandler{})
		sessions <- s
	}
	srv := NewServer(opts)
	hts := httptest.NewServer(srv)
	b.Cleanup(func() {
		_ = srv.Close(context.Background())
		hts.Close()
	})
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hts.URL, "http")+"/?EIO=4&transport=websocket", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.CloseNow() })
	if _, _, err := c.Read(ctx); err != nil { // open packet
		b.Fatal(err)
	}
	return <-sessions, c
}

// echoOptions are the options of a Server whose sessions send back every
// message they get.
func echoOptions() *Options {
	return &Options{
		Logger: discardLogger(),
		OnSession: func(s *Session) {
			s.SetHandler(handlerFunc{msg: func(p eio.Packet) { _ = s.Send(p) }, close: func(string, error) {}})
		},
	}
}
