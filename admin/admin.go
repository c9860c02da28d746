package admin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/duplexio/duplex/server"
)

// Modes of Options.Mode.
const (
	Development = "development" // live events and the socket list
	Production  = "production"  // statistics only
)

// Options configure Instrument.
type Options struct {
	// Namespace of the admins ("/admin" when empty).
	Namespace string
	// Auth is the login the UI must give. It is required unless NoAuth is
	// set, as the reference requires its auth option.
	Auth   *BasicAuth
	NoAuth bool
	// Store keeps the admins' session ids (NewMemoryStore(0) when nil).
	Store SessionStore
	// ReadOnly refuses the admins' commands (emit, join, leave, disconnect).
	ReadOnly bool
	// ServerID names this node in the UI (the hostname when empty).
	ServerID string
	// Mode is Development (the default) or Production.
	Mode string
	// Logger gets the admin's own errors (slog.Default() when nil).
	Logger *slog.Logger
}

// ErrNoAuth is returned by Instrument when neither Auth nor NoAuth is set.
var ErrNoAuth = errors.New("admin: Options.Auth must be set (or NoAuth, to run without authentication)")

// Admin is an instrumented server (Instrument). Close ends it.
type Admin struct {
	srv      *server.Server
	nsp      *server.Namespace
	opts     Options
	hostname string
	start    time.Time
	log      *slog.Logger
	features []string

	queue     chan func() // live events, emitted by run (bounded: dropped when full)
	dropped   int64       // live events dropped (guarded by mu)
	removeObs func()
	ctx       context.Context // ends with Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup

	mu      sync.Mutex
	polling map[*server.Socket]struct{} // sockets on polling, watched for their upgrade
}

// queueLen bounds the live events waiting to be emitted to the admins.
const queueLen = 4096

// Instrument adds the admin namespace to srv and starts reporting to it.
func Instrument(srv *server.Server, opts Options) (*Admin, error) {
	if opts.Auth == nil && !opts.NoAuth {
		return nil, ErrNoAuth
	}
	if opts.Auth != nil {
		if _, err := bcryptCost(opts.Auth.PasswordHash); err != nil {
			return nil, err
		}
	}
	if opts.Namespace == "" {
		opts.Namespace = "/admin"
	}
	if opts.Store == nil {
		opts.Store = NewMemoryStore(0)
	}
	if opts.Mode == "" {
		opts.Mode = Development
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	host, _ := os.Hostname()
	if opts.ServerID == "" {
		opts.ServerID = host
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Admin{
		srv: srv, opts: opts, hostname: host, start: time.Now(), log: opts.Logger,
		queue: make(chan func(), queueLen), ctx: ctx, cancel: cancel,
		polling: make(map[*server.Socket]struct{}),
	}
	if !opts.ReadOnly {
		a.features = []string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"}
	}
	a.features = append(a.features, "AGGREGATED_EVENTS")
	if a.dev() {
		a.features = append(a.features, "ALL_EVENTS")
	}
	a.nsp = srv.Of(opts.Namespace)
	a.nsp.Use(a.authenticate)
	a.nsp.OnConnection(a.onAdmin)
	if a.dev() {
		a.removeObs = srv.Observe(a.observer())
	}
	a.wg.Add(1)
	go a.run(ctx)
	return a, nil
}

// Close stops the reports and waits for the admin's goroutines; the admin
// namespace stays (its sockets are the server's).
func (a *Admin) Close() {
	if a.removeObs != nil {
		a.removeObs()
	}
	a.cancel()
	a.wg.Wait()
}

func (a *Admin) dev() bool { return a.opts.Mode == Development }

// authenticate is the admin namespace's middleware: a known session id, or
// the credentials (bcrypt is slow on purpose: checked off the read loop).
func (a *Admin) authenticate(s *server.Socket, next func(error)) {
	if a.opts.Auth == nil {
		next(nil)
		return
	}
	var auth struct {
		SessionID string `json:"sessionId"`
		Username  string `json:"username"`
		Password  string `json:"password"`
	}
	_ = json.Unmarshal(s.Handshake().Auth, &auth)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if auth.SessionID != "" {
			if ok, err := a.opts.Store.SessionExists(ctx, auth.SessionID); ok {
				next(nil)
				return
			} else if err != nil {
				a.log.Warn("admin: session store", slog.Any("error", err))
			}
		}
		if a.opts.Auth.check(auth.Username, auth.Password) {
			id := newSessionID()
			if err := a.opts.Store.SaveSession(ctx, id); err != nil {
				a.log.Warn("admin: session store", slog.Any("error", err))
			}
			s.Data().Store(sessionKey, id)
			next(nil)
			return
		}
		next(errors.New("invalid credentials"))
	}()
}

// sessionKey is where authenticate leaves a new session id for onAdmin.
const sessionKey = "_adminSession"

// onAdmin greets an admin: its new session id, the config and, in
// development mode, every socket of the cluster (fetched off the read loop:
// with a cluster adapter it is a request to every node).
func (a *Admin) onAdmin(s *server.Socket) {
	if id, ok := s.Data().Load(sessionKey); ok {
		s.Data().Delete(sessionKey)
		_ = s.Emit("session", id)
	}
	if !a.opts.ReadOnly {
		a.commands(s)
	}
	_ = s.Emit("config", map[string]any{"supportedFeatures": a.features})
	if a.dev() {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			_ = s.Emit("all_sockets", a.allSockets(a.ctx))
		}()
	}
}

// namespace returns the existing namespace name (nil if none: an admin does
// not create namespaces).
func (a *Admin) namespace(name string) *server.Namespace {
	for _, n := range a.srv.Namespaces() {
		if n.Name() == name {
			return n
		}
	}
	return nil
}

// commands registers the admin's commands on s.
func (a *Admin) commands(s *server.Socket) {
	target := func(e *server.Event, filterArg int) (server.BroadcastOperator, bool) {
		var name string
		var filter *string
		if e.Args.Decode(0, &name) != nil {
			return server.BroadcastOperator{}, false
		}
		_ = e.Args.Decode(filterArg, &filter)
		n := a.namespace(name)
		if n == nil {
			return server.BroadcastOperator{}, false
		}
		if filter != nil && *filter != "" {
			return n.In(*filter), true
		}
		return n.Except(), true
	}
	s.On("emit", func(e *server.Event) { // (nsp, filter, ev, ...args)
		var ev string
		to, ok := target(e, 1)
		if !ok || e.Args.Decode(2, &ev) != nil {
			return
		}
		args := make([]any, 0, e.Args.Len())
		for _, r := range e.Args.All()[3:] {
			args = append(args, r)
		}
		if err := to.Emit(ev, args...); err != nil {
			a.log.Warn("admin: emit", "event", ev, slog.Any("error", err))
		}
	})
	s.On("join", func(e *server.Event) { // (nsp, room, filter)
		var room string
		if to, ok := target(e, 2); ok && e.Args.Decode(1, &room) == nil {
			_ = to.SocketsJoin(room)
		}
	})
	s.On("leave", func(e *server.Event) { // (nsp, room, filter)
		var room string
		if to, ok := target(e, 2); ok && e.Args.Decode(1, &room) == nil {
			_ = to.SocketsLeave(room)
		}
	})
	s.On("_disconnect", func(e *server.Event) { // (nsp, close, filter)
		var closeConn bool
		if to, ok := target(e, 2); ok {
			_ = e.Args.Decode(1, &closeConn)
			_ = to.DisconnectSockets(closeConn)
		}
	})
}

// run emits the live events as they come and the server stats every 2 s,
// until ctx ends.
func (a *Admin) run(ctx context.Context) {
	defer a.wg.Done()
	agg := newAggregator(a.srv.Stats().Engine)
	a.emitStats(agg)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case f := <-a.queue:
			f()
		case now := <-tick.C:
			agg.sample(a.srv.Stats().Engine, now)
			a.checkUpgrades()
			if n%2 == 0 {
				a.emitStats(agg)
			}
		}
	}
}

// Dropped returns the number of live events dropped because the admins'
// queue was full (development mode).
func (a *Admin) Dropped() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dropped
}

// enqueue queues a live event (dropped when the admins are that far behind).
func (a *Admin) enqueue(f func()) {
	select {
	case a.queue <- f:
	default:
		a.mu.Lock()
		a.dropped++
		a.mu.Unlock()
	}
}
