// Package admin makes a duplex server speak the server protocol of the
// official Socket.IO Admin UI (@socket.io/admin-ui 0.5.x), so that the UI's
// dashboard shows and acts on a duplex server as it does on a Node one.
//
//	a, err := admin.Instrument(srv, admin.Options{
//		Auth: &admin.BasicAuth{Username: "admin", PasswordHash: hash}, // bcrypt
//	})
//	defer a.Close()
//
// It adds the namespace "/admin" (Options.Namespace) to the server, guarded by
// bcrypt basic authentication and a session store (the UI keeps a session id
// and reconnects with it), and implements what the reference's instrument()
// does:
//
//   - "config" (the supported features) and, in development mode,
//     "all_sockets" to every admin that connects;
//   - "server_stats" every 2 s to the admins: this node's serverId, hostname,
//     pid, uptime, clients (polling ones apart), namespaces with their socket
//     counts, and the aggregated events of each second (connections,
//     disconnections by reason, packets and bytes in and out), all read from
//     the server's own counters (server.Server.Stats);
//   - in development mode, the live events socket_connected, socket_updated
//     (transport upgrades), socket_disconnected, room_joined, room_left,
//     event_received and event_sent (through server.Server.Observe);
//   - the admin's commands emit, join, leave and _disconnect, to a namespace
//     or the sockets of one room (the filter), unless ReadOnly.
//
// With a cluster adapter the admins' namespace spans the nodes, as with the
// reference: each node instruments its own server and reports its own
// serverId (its server_stats and live events reach the admins of every node),
// "all_sockets" is FetchSockets of each namespace (the sockets of every node),
// and the commands are broadcast operations (they act on every node). The
// connection details the UI shows (transport, client id) travel in each
// socket's data under "_admin", the reference's socket.data._admin, so duplex
// and Node nodes with instrument() show each other's sockets alike.
//
// Instrument starts one goroutine (the ticker and the queue of live events),
// ended by Close.
package admin
