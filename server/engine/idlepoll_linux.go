//go:build linux

package engine

import (
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// idlePoll parks the readers of idle websocket sessions: instead of a
// goroutine waiting for each one, an epoll instance watches their
// connections and a goroutine is started for a session only when its
// connection has something to read (or fails). One per Server; the poller
// (and its goroutine) is created by the first park and ends when it has had
// nothing to watch for idlePollLinger, or when the Server closes.
//
// A connection closed by other code than the engine (a hijacked connection
// is the engine's) is not seen while parked: it ends at its ping timeout.
type idlePoll struct {
	mu      sync.Mutex
	p       *poller // the running poller; nil when none
	enabled bool    // idlePollDefault, or set by tests
	closed  bool    // Server.Close: parking is over
	log     *slog.Logger
}

// idlePollDefault says whether a Server parks idle websocket readers (tests
// turn it off and on per Server). The cost: an epoll instance does not see a
// descriptor closed by others (no event; the kernel just forgets it), so a
// parked session whose hijacked connection some other code closes ends only
// at its ping timeout. After Hijack the connection is the engine's; a
// network cut, the client's close or shutdown(2) of the socket is seen at
// once.
const idlePollDefault = true

// idleReg is a websocket's part in parking (guarded by the idlePoll's mu,
// but for the atomics).
type idleReg struct {
	noPark atomic.Bool // the connection is closing: never park again
	parkID uint64      // the registration while parked, 0 when not
	reg    *poller     // the poller whose epoll has the descriptor
}

// poller is one epoll instance and the goroutine that waits on it.
type poller struct {
	epfd  int
	wakeR int // read end of the wake-up pipe (registered with id 0)
	wakeW int
	regs  map[uint64]parked // by registration id, never by descriptor
	next  uint64
	stop  bool          // guarded by idlePoll.mu
	done  chan struct{} // closed when the goroutine has ended and closed its fds
}

// parked is what a parked reader would do once its connection is readable.
type parked struct {
	s        *Session
	c        *wsConn
	handoffs int
	since    time.Duration // when it parked (server time)
}

// idlePollLinger: a poller with nothing to watch for this long ends.
const idlePollLinger = time.Second

const pollEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

// park registers the idle reader of s on c with the server's poller: it
// returns true when parked (the caller's goroutine must end without touching
// c again), false when the caller must wait itself (no descriptor, the
// connection is closing, the server closed, or epoll failed).
func (s *Session) park(c *wsConn, handoffs int) bool {
	if c.RawConn() == nil {
		return false
	}
	ip := &s.srv.idle
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if !ip.enabled || ip.closed || c.idleReg.noPark.Load() {
		return false
	}
	p := ip.p
	if p == nil {
		var err error
		if p, err = ip.startLocked(); err != nil {
			ip.log.Warn("engine: idle poller unavailable", "err", err)
			return false
		}
	}
	p.next++
	id := p.next
	op := syscall.EPOLL_CTL_ADD
	if c.idleReg.reg == p {
		op = syscall.EPOLL_CTL_MOD // still registered, disarmed by its last event
	}
	var ctlErr error
	err := c.RawConn().Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: pollEvents, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
		ctlErr = syscall.EpollCtl(p.epfd, op, int(fd), &ev)
	})
	if err == nil {
		err = ctlErr
	}
	if err != nil {
		c.idleReg.reg = nil
		return false
	}
	c.idleReg.reg = p
	c.idleReg.parkID = id
	p.regs[id] = parked{s: s, c: c, handoffs: handoffs, since: s.srv.now()}
	return true
}

// stopParking is called before c is closed or starts its close handshake:
// c never parks again, and its reader, if parked, is resumed at once (it
// then finds the connection closed, or waits for the client's close frame
// under the read deadline). The descriptor leaves the epoll before the
// connection is closed.
func (c *wsConn) stopParking() {
	c.idleReg.noPark.Store(true)
	ip := &c.srv.idle
	ip.mu.Lock()
	var r parked
	var ok bool
	if p := ip.p; p != nil && c.idleReg.reg == p {
		if id := c.idleReg.parkID; id != 0 {
			r, ok = p.regs[id]
			delete(p.regs, id)
		}
		_ = c.RawConn().Control(func(fd uintptr) {
			_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
		})
	}
	c.idleReg.reg, c.idleReg.parkID = nil, 0
	ip.mu.Unlock()
	if ok {
		r.resume()
	}
}

// resume starts the reader of a parked session again: it reads what made
// the connection readable (or the error) and goes on as readLoop.
func (r parked) resume() {
	go r.s.resumeRead(r.c, r.handoffs, r.since)
}

// startLocked creates the poller and starts its goroutine.
func (ip *idlePoll) startLocked() (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	var pipe [2]int
	if err := syscall.Pipe2(pipe[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		_ = syscall.Close(epfd)
		return nil, os.NewSyscallError("pipe2", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN} // id 0
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, pipe[0], &ev); err != nil {
		_ = syscall.Close(epfd)
		_ = syscall.Close(pipe[0])
		_ = syscall.Close(pipe[1])
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	p := &poller{
		epfd: epfd, wakeR: pipe[0], wakeW: pipe[1],
		regs: make(map[uint64]parked),
		done: make(chan struct{}),
	}
	ip.p = p
	go ip.run(p)
	return p, nil
}

// run waits for events of p until it is stopped, fails, or has had nothing
// to watch for idlePollLinger; a parked reader whose connection is readable
// is resumed (an event of a registration no longer there is ignored). Readers
// still parked when it ends are resumed: they wait in goroutines of their
// own.
func (ip *idlePoll) run(p *poller) {
	defer close(p.done)
	var events [128]syscall.EpollEvent
	var ready []parked
	for {
		ip.mu.Lock()
		timeout := -1
		if len(p.regs) == 0 {
			timeout = int(idlePollLinger / time.Millisecond)
		}
		stop := p.stop
		ip.mu.Unlock()
		if stop {
			break
		}
		n, err := syscall.EpollWait(p.epfd, events[:], timeout)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			ip.log.Warn("engine: idle poller failed", "err", os.NewSyscallError("epoll_wait", err))
			break
		}
		ip.mu.Lock()
		if n == 0 && len(p.regs) == 0 && ip.p == p {
			ip.p = nil // lingered with nothing to watch: the next park starts a poller
			ip.mu.Unlock()
			break
		}
		for i := range n {
			ev := &events[i]
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if id == 0 {
				continue // woken: stop is checked at the top
			}
			r, ok := p.regs[id]
			if !ok {
				continue
			}
			delete(p.regs, id)
			r.c.idleReg.parkID = 0
			ready = append(ready, r)
		}
		ip.mu.Unlock()
		for i := range ready {
			ready[i].resume()
		}
		clear(ready)
		ready = ready[:0]
	}
	ip.mu.Lock()
	if ip.p == p {
		ip.p = nil
	}
	for id, r := range p.regs {
		r.c.idleReg.parkID = 0
		ready = append(ready, r)
		delete(p.regs, id)
	}
	ip.mu.Unlock()
	// Nobody uses p's descriptors anymore: parkers and stopParking only use
	// the running poller.
	_ = syscall.Close(p.epfd)
	_ = syscall.Close(p.wakeR)
	_ = syscall.Close(p.wakeW)
	for _, r := range ready {
		r.resume()
	}
}

// close ends parking for good (Server.Close): the poller's goroutine ends
// once it has resumed the readers still parked; close waits for it.
func (ip *idlePoll) close() {
	ip.mu.Lock()
	ip.closed = true
	p := ip.p
	if p != nil {
		p.stop = true
		_, _ = syscall.Write(p.wakeW, []byte{1})
	}
	ip.mu.Unlock()
	if p != nil {
		<-p.done
	}
}
