package cluster_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// Two servers of one process joined by a Bus: each counts the other, and a
// serverSideEmit with acks gets the other's answer. A Redis transport plugs
// in the same way (adapter/redis).
func ExampleBus() {
	bus := cluster.NewBus()
	var servers []*server.Server
	for _, name := range []string{"a", "b"} {
		srv := server.New(&server.Options{Adapter: bus.Adapter(nil)})
		srv.Of("/").Adapter().(*cluster.Adapter).OnServerSideEmit("who", func(_ server.Args, ack func(any) error) {
			_ = ack("server " + name)
		})
		servers = append(servers, srv)
	}
	hs := httptest.NewServer(servers[0])
	defer hs.Close()
	defer func() {
		for _, srv := range servers {
			_ = srv.Close(context.Background())
		}
	}()

	n, _ := servers[0].Of("/").Adapter().ServerCount(context.Background())
	fmt.Println("servers:", n)
	replies, err := servers[0].Of("/").Adapter().(*cluster.Adapter).ServerSideEmitWithAck(context.Background(), "who")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range replies {
		fmt.Println(string(r.Raw(0)))
	}
	// Output:
	// servers: 2
	// "server b"
}
