package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/server"
)

// Server.Stats reads the server's counters: here after one client connected
// and emitted two events.
func ExampleServer_Stats() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.On("chat", func(e *server.Event) { _ = e.Ack() })
	})
	ts := httptest.NewServer(http.Handler(io))
	defer ts.Close()
	defer io.Close(context.Background())

	sock := client.Connect(ts.URL, nil)
	defer sock.Manager().Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		if _, err := sock.EmitWithAck(ctx, "chat", "hi"); err != nil {
			fmt.Println(err)
			return
		}
	}

	st := io.Stats()
	fmt.Println("sessions accepted:", st.Engine.AcceptedPolling+st.Engine.AcceptedWebsocket)
	fmt.Println("sockets connected:", st.Connected)
	fmt.Println("events:", st.Events)
	fmt.Println("namespaces:", st.Namespaces)
	// Output:
	// sessions accepted: 1
	// sockets connected: 1
	// events: [{chat 2}]
	// namespaces: [{/ 1 0 -1}]
}
