//go:build !js

package redis_test

import (
	"context"
	"log"
	"net/http"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/server"
)

// A duplex node of a streams cluster: Node socket.io nodes on the same Redis
// with @socket.io/redis-streams-adapter are its peers, and a client whose
// node is lost is recovered by any other.
func ExampleNewStreams() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	streams := redis.NewStreams(c, nil)
	defer streams.Close()
	srv := server.New(&server.Options{
		Adapter:                 streams.Adapter,
		ConnectionStateRecovery: &server.RecoveryOptions{},
	})
	defer srv.Close(context.Background())
	srv.OnConnection(func(s *server.Socket) { s.Join("news") })
	log.Fatal(http.ListenAndServe(":3000", srv))
}

// A duplex node of a sharded cluster (Redis 7): Node socket.io nodes on the
// same Redis with @socket.io/redis-adapter's createShardedAdapter are its
// peers.
func ExampleNewSharded() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	sharded := redis.NewSharded(c, &redis.ShardedOptions{SubscriptionMode: redis.Dynamic})
	defer sharded.Close()
	srv := server.New(&server.Options{Adapter: sharded.Adapter})
	defer srv.Close(context.Background())
	srv.OnConnection(func(s *server.Socket) { s.Join("news") })
	log.Fatal(http.ListenAndServe(":3000", srv))
}

// A program without a server emits to a room of a streams cluster: the
// event is a stream entry, so clients that recover later get it too.
func ExampleNewStreamsEmitter() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	em := redis.NewStreamsEmitter(c, nil)
	if err := em.To("news").Except("muted").Emit(context.Background(), "headline", "duplex joins the cluster"); err != nil {
		log.Print(err)
	}
}

// A program without a server emits to a room of a sharded cluster.
func ExampleNewShardedEmitter() {
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{"127.0.0.1:6379"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	em := redis.NewShardedEmitter(c, nil)
	if err := em.To("news").Emit(context.Background(), "headline", "duplex joins the cluster"); err != nil {
		log.Print(err)
	}
}
