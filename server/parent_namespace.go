package server

import (
	"encoding/json"
	"regexp"
	"slices"
	"sync"
)

// ParentNamespace creates namespaces on demand: a client connecting to a name
// that it matches gets a child namespace of that name. Middlewares and
// connection handlers registered on the parent apply to every child, and its
// broadcasts reach every child.
type ParentNamespace struct {
	srv   *Server
	match func(name string, auth json.RawMessage) bool

	mu           sync.RWMutex
	middlewares  []func(s *Socket, next func(error))
	onConnection []func(s *Socket)
	children     []*Namespace
}

// Use adds a middleware run for every socket connecting to a child, before
// the child's own middlewares.
func (p *ParentNamespace) Use(mw func(s *Socket, next func(error))) {
	p.mu.Lock()
	p.middlewares = append(p.middlewares, mw)
	p.mu.Unlock()
}

// OnConnection registers h for every socket connecting to a child.
func (p *ParentNamespace) OnConnection(h func(s *Socket)) {
	p.mu.Lock()
	p.onConnection = append(p.onConnection, h)
	p.mu.Unlock()
}

// Children returns the namespaces created so far.
func (p *ParentNamespace) Children() []*Namespace {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.children)
}

// Emit emits event to every socket of every child.
func (p *ParentNamespace) Emit(event string, args ...any) error {
	for _, n := range p.Children() {
		if err := n.Emit(event, args...); err != nil {
			return err
		}
	}
	return nil
}

func (p *ParentNamespace) middlewareList() []func(*Socket, func(error)) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.middlewares)
}

func (p *ParentNamespace) connectionHandlers() []func(*Socket) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.onConnection)
}

// OfRegexp returns a parent namespace whose children are the namespaces whose
// names match re (anchor it: ^/dyn-\d+$).
func (srv *Server) OfRegexp(re *regexp.Regexp) *ParentNamespace {
	return srv.OfFunc(func(name string, _ json.RawMessage) bool { return re.MatchString(name) })
}

// OfFunc returns a parent namespace whose children are created when match
// accepts the name (and the CONNECT auth payload) a client connects to.
func (srv *Server) OfFunc(match func(name string, auth json.RawMessage) bool) *ParentNamespace {
	p := &ParentNamespace{srv: srv, match: match}
	srv.mu.Lock()
	srv.parents = append(srv.parents, p)
	srv.mu.Unlock()
	return p
}

// removeChild removes the child namespace n if it is still empty
// (CleanupEmptyChildNamespaces).
func (srv *Server) removeChild(n *Namespace) {
	srv.mu.Lock()
	n.mu.Lock()
	empty := !n.removed && len(n.sockets) == 0 && len(n.pre) == 0
	if empty {
		n.removed = true
		if srv.nsps[n.name] == n {
			delete(srv.nsps, n.name)
		}
	}
	n.mu.Unlock()
	srv.mu.Unlock()
	if !empty {
		return
	}
	p := n.parent
	p.mu.Lock()
	p.children = slices.DeleteFunc(p.children, func(c *Namespace) bool { return c == n })
	p.mu.Unlock()
	if err := n.adapter.Close(); err != nil {
		srv.log.Warn("socket.io: closing the adapter of an empty namespace", "nsp", n.name, "error", err)
	}
}
