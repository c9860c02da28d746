//go:build !js

package prometheus

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/server"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// scrape GETs url and parses the text exposition.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value returns the value of metric name with the label values given as
// name=value pairs (-1 when absent).
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestScrapeAfterScriptedRun: two Go clients do known things; /metrics says
// so, and says what Server.Stats says for everything else.
func TestScrapeAfterScriptedRun(t *testing.T) {
	srv := server.New(nil)
	srv.OnConnection(func(s *server.Socket) {
		s.On("chat", func(e *server.Event) { s.Join("room-" + fmt.Sprint(e.Args.Len())); _ = e.Ack("ok") })
	})
	srv.Of("/private").Use(func(s *server.Socket, next func(error)) { next(fmt.Errorf("no")) })
	reg := prom.NewRegistry()
	reg.MustRegister(NewCollector(srv))
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	defer srv.Close(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws := client.Connect(ts.URL, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, NoReconnection: true})
	defer ws.Manager().Close()
	poll := client.Connect(ts.URL, &client.Options{Engine: engine.Options{Transports: []string{"polling"}}, NoReconnection: true})
	defer poll.Manager().Close()
	for range 3 {
		if _, err := ws.EmitWithAck(ctx, "chat", "a"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := poll.EmitWithAck(ctx, "chat", "a", "b"); err != nil {
		t.Fatal(err)
	}
	refused := make(chan error, 1)
	priv := ws.Manager().Socket("/private", nil)
	priv.OnConnectError(func(err error) { refused <- err })
	select {
	case <-refused:
	case <-ctx.Done():
		t.Fatal("no connect error for /private")
	}
	poll.Disconnect() // client namespace disconnect
	for len(srv.Of("/").Sockets()) != 1 {
		if ctx.Err() != nil {
			t.Fatal("the polling client did not leave")
		}
		time.Sleep(10 * time.Millisecond)
	}

	fams := scrape(t, ts.URL+"/metrics")
	st := srv.Stats()
	want := []struct {
		name   string
		labels []string
		v      float64
	}{
		{"duplex_connections_accepted_total", []string{"transport", "websocket"}, 1},
		{"duplex_connections_accepted_total", []string{"transport", "polling"}, 1},
		{"duplex_sockets_connected_total", nil, 2},
		{"duplex_connects_refused_total", nil, 1},
		{"duplex_sockets_disconnected_total", []string{"reason", "client namespace disconnect"}, 1},
		{"duplex_events_received_total", []string{"event", "chat"}, 4},
		{"duplex_events_received_total", []string{"event", "_other"}, 0},
		{"duplex_handler_duration_seconds", nil, 1}, // sampled: chat's 1st event
		{"duplex_namespace_sockets", []string{"namespace", "/"}, 1},
		{"duplex_namespace_sockets", []string{"namespace", "/private"}, 0},
		{"duplex_namespace_rooms", []string{"namespace", "/"}, 1},                  // room-1 (room-2's socket left)
		{"duplex_namespace_lost_broadcasts_total", []string{"namespace", "/"}, -1}, // the memory adapter cannot tell: absent
		{"duplex_acks_pending", nil, 0},
		{"duplex_acks_timed_out_total", nil, 0},
		{"duplex_upgrades_total", nil, 0},
		{"duplex_queue_full_closes_total", nil, 0},
		// Measured by the engine: the scrape says what Stats says.
		{"duplex_packets_received_total", nil, float64(st.Engine.PacketsIn)},
		{"duplex_received_bytes_total", nil, float64(st.Engine.BytesIn)},
		{"duplex_packets_sent_total", nil, float64(st.Engine.PacketsOut)},
		{"duplex_sent_bytes_total", nil, float64(st.Engine.BytesOut)},
		{"duplex_connections_open", []string{"transport", "websocket"}, float64(st.Engine.OpenWebsocket)},
	}
	for _, w := range want {
		if got := value(fams, w.name, w.labels...); got != w.v {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.v)
		}
	}
	// 3 events of 2 bytes and 1 of 3 at least (the rest are CONNECTs and acks).
	if st.Engine.PacketsIn < 4+2+1 || st.Engine.BytesIn < int64(4*len(`2["chat","a"]`)) {
		t.Errorf("engine in: %d packets, %d bytes", st.Engine.PacketsIn, st.Engine.BytesIn)
	}
	for name, f := range fams {
		if len(name) < 7 || name[:7] != "duplex_" {
			t.Errorf("metric %s has no duplex_ prefix", name)
		}
		if f.GetType() == dto.MetricType_COUNTER && name[len(name)-6:] != "_total" {
			t.Errorf("counter %s does not end in _total", name)
		}
	}
}

// lossyAdapter is a single-server adapter that says how many broadcasts it
// lost, as the Redis adapters do when Redis is unreachable.
type lossyAdapter struct {
	*server.MemoryAdapter
	lost int64
}

func (a *lossyAdapter) LostBroadcasts() int64 { return a.lost }

// TestScrapeLostBroadcasts: an adapter with a LostBroadcasts method gets
// duplex_namespace_lost_broadcasts_total for its namespace.
func TestScrapeLostBroadcasts(t *testing.T) {
	srv := server.New(&server.Options{Adapter: func(n *server.Namespace) server.Adapter {
		return &lossyAdapter{MemoryAdapter: server.NewMemoryAdapter(n), lost: 7}
	}})
	defer srv.Close(context.Background())
	srv.Of("/chat")
	reg := prom.NewRegistry()
	reg.MustRegister(NewCollector(srv))
	ts := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer ts.Close()
	fams := scrape(t, ts.URL)
	for _, nsp := range []string{"/", "/chat"} {
		if got := value(fams, "duplex_namespace_lost_broadcasts_total", "namespace", nsp); got != 7 {
			t.Errorf("lost broadcasts of %s = %v, want 7", nsp, got)
		}
	}
}
