//go:build unix

package ws

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// hangGuard bounds a test's reads: a reader that would hang fails instead
// (the deadline ends ReadInline's wait with an error).
func hangGuard(c net.Conn) { _ = c.SetReadDeadline(time.Now().Add(20 * time.Second)) }

// readInlinePieces reads what the client writes with ReadInline and
// ReadRaw, the client writing each piece only once the reader waits for
// more (so that each arrives alone), until want messages or an error.
func readInlinePieces(t *testing.T, pieces [][]byte, limit int64, deflate bool, want int) readOutcome {
	t.Helper()
	sc, cc := tcpPair(t)
	hangGuard(sc)
	c := NewConn(sc, limit, deflate)
	if c.RawConn() == nil {
		t.Fatal("no descriptor access on a TCP connection")
	}
	waiting, done, wrote := make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(wrote)
		for _, p := range pieces {
			select {
			case <-waiting:
			case <-done:
				return
			}
			if _, err := cc.Write(p); err != nil {
				return
			}
		}
		select {
		case <-waiting:
			_ = cc.(*net.TCPConn).CloseWrite()
		case <-done:
		}
	}()
	copied := make(chan struct{})
	go func() { // pongs, the close frame
		_, _ = io.Copy(io.Discard, cc)
		close(copied)
	}()
	defer func() {
		close(done)
		<-wrote
		cc.Close()
		<-copied
	}()
	var out readOutcome
	for out.err == "" {
		err := c.ReadInline(func(fd uintptr) bool {
			for {
				op, p, res, err := c.ReadRaw(fd, false)
				switch res {
				case RawMessage:
					out.msgs = append(out.msgs, fmt.Sprintf("%d:%s", op, p))
					if len(out.msgs) == want {
						out.err = "eof" // the client's end is not read: the same outcome
						return true
					}
				case RawWait:
					select {
					case waiting <- struct{}{}:
					default:
					}
					return false
				case RawError:
					out.err = errClass(err)
					return true
				default:
					t.Errorf("result %d with stopIdle false", res)
					return true
				}
			}
		})
		if err != nil {
			t.Fatalf("ReadInline: %v", err)
		}
	}
	c.CloseNow()
	c.Finish()
	return out
}

// TestReadRawPieces: ReadRaw, which skips the read that would find nothing
// after a short one, reads each piece of a stream as it arrives (after a
// wait) and gives the messages of the whole stream: nothing is lost to a
// skipped read, no wait hangs.
func TestReadRawPieces(t *testing.T) {
	for _, tt := range splitStreams(t) {
		t.Run(tt.name, func(t *testing.T) {
			limit := int64(500)
			if tt.name == "large" {
				limit = 1e6
			}
			want := len(tt.want.msgs)
			if tt.want.err != "eof" {
				want = -1
			}
			whole := readInlinePieces(t, [][]byte{tt.stream}, limit, tt.deflate, want)
			if fmt.Sprint(whole) != fmt.Sprint(tt.want) {
				t.Fatalf("whole: %.200v, want %.200v", whole, tt.want)
			}
			cuts := []int{1, 2, 3, 5, 7, 9, 15, len(tt.stream) / 2, len(tt.stream) - 1}
			for _, cut := range cuts {
				if cut <= 0 || cut >= len(tt.stream) {
					continue
				}
				got := readInlinePieces(t, splitAt(tt.stream, cut), limit, tt.deflate, want)
				if fmt.Sprint(got) != fmt.Sprint(whole) {
					t.Fatalf("cut at %d: %.200v, want %.200v", cut, got, whole)
				}
			}
			got := readInlinePieces(t, splitAt(tt.stream, 1, 2, 3, 4, 5, 6), limit, tt.deflate, want)
			if fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Fatalf("a byte at a time: %.200v, want %.200v", got, whole)
			}
		})
	}
}

// TestReadRawMessageDuringHandler: a message that arrives while the
// callback handles the previous one (a handler running inside the read) is
// read: the wait that follows the short read returns at once.
func TestReadRawMessageDuringHandler(t *testing.T) {
	sc, cc := tcpPair(t)
	hangGuard(sc)
	c := NewConn(sc, 1000, false)
	const n = 50
	if _, err := cc.Write(frame(0x81, []byte("4m0"))); err != nil {
		t.Fatal(err)
	}
	got := 0
	err := c.ReadInline(func(fd uintptr) bool {
		for {
			_, p, res, err := c.ReadRaw(fd, false)
			switch res {
			case RawMessage:
				if string(p) != fmt.Sprint("4m", got) {
					t.Errorf("message %q, want 4m%d", p, got)
					return true
				}
				got++
				if got == n {
					return true
				}
				// The "handler": the client sends the next message, which
				// arrives while the callback still runs.
				if _, err := cc.Write(frame(0x81, []byte(fmt.Sprint("4m", got)))); err != nil {
					t.Error(err)
					return true
				}
			case RawWait:
				return false
			default:
				t.Errorf("result %d: %v", res, err)
				return true
			}
		}
	})
	if err != nil || got != n {
		t.Fatalf("%d messages of %d: %v", got, n, err)
	}
}

// TestReadInlineCloseFromCallback: CloseNow called inside the callback (a
// handler closing its connection) returns at once, the client sees the
// connection end, the next ReadRaw reports net.ErrClosed, and CloseNow
// once out closes the descriptor.
func TestReadInlineCloseFromCallback(t *testing.T) {
	sc, cc := tcpPair(t)
	hangGuard(sc)
	hangGuard(cc)
	c := NewConn(sc, 1000, false)
	if _, err := cc.Write(frame(0x81, []byte("4bye"))); err != nil {
		t.Fatal(err)
	}
	var results []RawResult
	var lastErr error
	err := c.ReadInline(func(fd uintptr) bool {
		for {
			_, _, res, err := c.ReadRaw(fd, false)
			results = append(results, res)
			switch res {
			case RawMessage:
				c.CloseNow() // would wait for this read to end if it closed the descriptor
				if n, err := cc.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("client read %d, %v after CloseNow, want EOF", n, err)
				}
			case RawWait:
				return false
			default:
				lastErr = err
				return true
			}
		}
	})
	if err != nil || !errors.Is(lastErr, net.ErrClosed) {
		t.Fatalf("ReadInline %v, ReadRaw's error %v (results %v), want net.ErrClosed", err, lastErr, results)
	}
	c.CloseNow()
	c.Finish()
	if err := sc.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("connection not closed by CloseNow: Close returned %v", err)
	}
}

// TestReadInlineCloseFromOtherGoroutine: CloseNow from another goroutine
// while the reader waits inside ReadInline, or while its callback runs a
// handler, returns without waiting for the reader; the reader then leaves
// with net.ErrClosed.
func TestReadInlineCloseFromOtherGoroutine(t *testing.T) {
	for _, during := range []string{"wait", "handler"} {
		t.Run(during, func(t *testing.T) {
			sc, cc := tcpPair(t)
			hangGuard(sc)
			c := NewConn(sc, 1000, false)
			if _, err := cc.Write(frame(0x81, []byte("4x"))); err != nil {
				t.Fatal(err)
			}
			inside, closed := make(chan struct{}), make(chan struct{})
			go func() {
				<-inside
				c.CloseNow()
				close(closed)
			}()
			var lastErr error
			err := c.ReadInline(func(fd uintptr) bool {
				for {
					_, _, res, err := c.ReadRaw(fd, false)
					switch res {
					case RawMessage:
						if during == "handler" {
							close(inside)
							select {
							case <-closed:
							case <-time.After(20 * time.Second):
								t.Error("CloseNow waited for the handler running inside the read")
							}
						}
					case RawWait:
						if during == "wait" {
							select {
							case <-inside:
							default:
								close(inside)
							}
						}
						return false
					default:
						lastErr = err
						return true
					}
				}
			})
			if err != nil || !errors.Is(lastErr, net.ErrClosed) {
				t.Fatalf("ReadInline %v, ReadRaw's error %v, want net.ErrClosed", err, lastErr)
			}
			<-closed
			c.CloseNow()
			c.Finish()
		})
	}
}

// TestWriteFDFull: writeFD writes what the socket takes at once on the
// descriptor and the rest through the connection, which waits for the
// peer: all of it arrives, in order, once.
func TestWriteFDFull(t *testing.T) {
	server, client := tcpPair(t)
	defer server.Close()
	defer client.Close()
	_ = server.(*net.TCPConn).SetWriteBuffer(4 << 10) // full long before data is written
	data := make([]byte, 4<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()
	raw, err := server.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	if err := raw.Read(func(fd uintptr) bool { // as ReadInline's callback
		werr = writeFD(fd, data, server)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	_ = server.Close()
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("%d bytes arrived, want the %d written", len(b), len(data))
	}
}
