//go:build !js

package redis_test

import (
	"context"
	"log"
	"net/http"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/server"
)

// A duplex node of a classic cluster: Node socket.io nodes with
// @socket.io/redis-adapter's createAdapter on the same Redis are its peers.
func ExampleNewClassic() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	classic := redis.NewClassic(c, nil)
	defer classic.Close()
	srv := server.New(&server.Options{Adapter: classic.Adapter})
	defer srv.Close(context.Background())
	srv.OnConnection(func(s *server.Socket) { s.Join("news") })

	// Servers answer each other's serverSideEmitWithAck.
	a := srv.Of("/").Adapter().(*redis.ClassicAdapter)
	a.OnServerSideEmit("load", func(args server.Args, ack func(any) error) { _ = ack(len(srv.Sockets())) })
	go func() {
		time.Sleep(time.Second)
		loads, err := a.ServerSideEmitWithAck(context.Background(), "load")
		log.Print(len(loads), " other servers answered: ", err)
	}()
	log.Fatal(http.ListenAndServe(":3000", srv))
}

// A program without a server emits to a room of a classic cluster, as
// @socket.io/redis-emitter does.
func ExampleNewClassicEmitter() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	em := redis.NewClassicEmitter(c, nil)
	if err := em.To("news").Emit(context.Background(), "headline", "duplex joins the cluster"); err != nil {
		log.Print(err)
	}
}
