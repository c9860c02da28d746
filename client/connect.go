package client

// Connect returns a socket for the namespace in rawURL's path ("/" when
// empty) on a new Manager for rawURL's origin, and starts connecting (unless
// opts.Socket.NoAutoConnect): client.Connect("http://host:3000/chat", nil) is
// io("http://host:3000/chat"). It does not wait: use OnConnect and
// OnConnectError. A bad URL is reported to OnConnectError.
//
// Unlike socket.io-client, every call creates its own Manager (there is no
// global cache); use NewManager and Manager.Socket to share one connection
// between namespaces.
func Connect(rawURL string, opts *Options) *Socket {
	m := newManager(rawURL, opts, anyEncoder)
	nsp := "/"
	if u, err := parseServerURL(rawURL); err == nil && u.path != "" && u.path != "/" {
		nsp = u.path
	}
	return m.Socket(nsp, &m.opts.Socket)
}
