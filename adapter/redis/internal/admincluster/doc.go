// Package admincluster is the test of duplex's Admin UI server (module admin)
// across a Redis cluster (module adapter/redis): two duplex nodes and a Node
// socket.io node with @socket.io/admin-ui's instrument() on one redis-server,
// each admin seeing every node and acting on the sockets of every node.
//
// It is a module of its own so that neither the admin module nor the Redis
// module requires the other; it sits under adapter/redis to use its
// redistest package. It has no code besides its tests, which run Node and
// redis-server: build tag interop (make test sets it).
package admincluster
