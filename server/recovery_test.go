package server

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var offsetRe = regexp.MustCompile(`,"([^"]+)"\]$`)

func connectReplyOf(t *testing.T, reply, prefix string) (sid, pid string) {
	t.Helper()
	var r struct{ SID, PID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(reply, prefix)), &r); err != nil {
		t.Fatalf("reply %q: %v", reply, err)
	}
	return r.SID, r.PID
}

func TestRecovery(t *testing.T) {
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{}})
	var recovered []bool
	srv.OnConnection(func(s *Socket) { recovered = append(recovered, s.Recovered()) })
	f := dial(srv)
	f.in("0")
	sid, pid := connectReplyOf(t, f.waitSent(t, "0"), "0")
	if len(pid) != 20 {
		t.Fatalf("pid %q", pid)
	}
	s, _ := srv.Of("/").Socket(sid)
	s.Join("room")
	s.Data().Store("k", 1)

	// Events without ack get an offset; acks and volatile ones do not.
	_ = s.Emit("direct", 1)
	_ = s.Volatile().Emit("vol")
	_ = s.Emit("withack", AckFunc(func(Args, error) {}))
	_ = srv.Emit("all", []byte{7})
	sent := f.take()
	if len(sent) != 5 || !offsetRe.MatchString(sent[0]) || sent[1] != `2["vol"]` || sent[2] != `20["withack"]` ||
		!strings.HasPrefix(sent[3], `51-["all",{"_placeholder":true,"num":0},"`) || sent[4] != "<07>" {
		t.Fatalf("sent %q", sent)
	}
	offset := offsetRe.FindStringSubmatch(sent[3])[1]

	f.c.OnClose("transport close", nil)
	_ = srv.To("room").Emit("missed", 1)
	_ = srv.To("other").Emit("notmine")
	_ = srv.Except("room").Emit("notmine")
	_ = srv.Emit("missed", 2)
	_ = srv.Volatile().Emit("lost")

	g := dial(srv)
	g.in(fmt.Sprintf(`0{"pid":%q,"offset":%q,"token":"t"}`, pid, offset))
	sent = g.take()
	if len(sent) != 3 || !strings.HasPrefix(sent[0], `2["missed",1,"`) || !strings.HasPrefix(sent[1], `2["missed",2,"`) {
		t.Fatalf("sent %q", sent)
	}
	sid2, pid2 := connectReplyOf(t, sent[2], "0")
	if sid2 != sid || pid2 != pid {
		t.Fatalf("recovered %s/%s, want %s/%s", sid2, pid2, sid, pid)
	}
	s2, _ := srv.Of("/").Socket(sid)
	if v, _ := s2.Data().Load("k"); v != 1 || !s2.Recovered() || len(s2.Rooms()) != 2 {
		t.Fatalf("restored data %v rooms %q", v, s2.Rooms())
	}
	if len(recovered) != 2 || recovered[0] || !recovered[1] {
		t.Fatalf("recovered %v", recovered)
	}

	// Not after an explicit namespace disconnect.
	g.in("1")
	h := dial(srv)
	h.in(fmt.Sprintf(`0{"pid":%q,"offset":%q}`, pid, offset))
	if sid3, pid3 := connectReplyOf(t, h.waitSent(t, "0"), "0"); sid3 == sid || pid3 == pid {
		t.Fatal("recovered after a client namespace disconnect")
	}

	// Unknown offset: a new session.
	s4 := onlySocket(t, srv.Of("/"))
	h.c.OnClose("ping timeout", nil)
	k := dial(srv)
	k.in(fmt.Sprintf(`0{"pid":%q,"offset":"nope"}`, s4.pid))
	if sid5, _ := connectReplyOf(t, k.waitSent(t, "0"), "0"); sid5 == s4.ID() {
		t.Fatal("recovered from an unknown offset")
	}
}

func TestRecoveryExpires(t *testing.T) {
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{MaxDisconnectionDuration: 20 * time.Millisecond}})
	f := dial(srv)
	f.in("0")
	sid, pid := connectReplyOf(t, f.waitSent(t, "0"), "0")
	_ = srv.Emit("e")
	offset := offsetRe.FindStringSubmatch(f.take()[0])[1]
	f.c.OnClose("transport error", nil)
	time.Sleep(50 * time.Millisecond)
	g := dial(srv)
	g.in(fmt.Sprintf(`0{"pid":%q,"offset":%q}`, pid, offset))
	if sid2, _ := connectReplyOf(t, g.waitSent(t, "0"), "0"); sid2 == sid {
		t.Fatal("recovered an expired session")
	}
}

func TestDynamicNamespaces(t *testing.T) {
	srv := newServer(t, nil)
	parent := srv.OfFunc(func(name string, auth json.RawMessage) bool {
		return strings.HasPrefix(name, "/team-") && strings.Contains(string(auth), "member")
	})
	var order []string
	parent.Use(func(s *Socket, next func(error)) { order = append(order, "parent-mw"); next(nil) })
	parent.OnConnection(func(s *Socket) { order = append(order, "parent:"+s.Namespace().Name()) })
	f := dial(srv)
	f.in(`0/team-a,{"member":1}`)
	f.waitSent(t, `0/team-a,{"sid":`)
	f.in(`0/team-b,{}`)
	f.waitSent(t, `4/team-b,{"message":"Invalid namespace"}`)
	if len(parent.Children()) != 1 || parent.Children()[0] != srv.Of("/team-a") {
		t.Fatal("children")
	}
	srv.Of("/team-a").OnConnection(func(s *Socket) { order = append(order, "child") })
	g := dial(srv)
	g.in(`0/team-a,{}`) // the namespace exists now: no match needed
	g.waitSent(t, `0/team-a,{"sid":`)
	want := "parent-mw parent:/team-a parent-mw parent:/team-a child"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	if err := parent.Emit("hey"); err != nil {
		t.Fatal(err)
	}
	f.waitSent(t, `2/team-a,["hey"]`)
	g.waitSent(t, `2/team-a,["hey"]`)
}

func TestRecoveryMiddlewares(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("keep=", keep), func(t *testing.T) {
			srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{KeepMiddlewares: keep}})
			var ran []bool // Recovered() of each socket a middleware saw
			srv.Use(func(s *Socket, next func(error)) { ran = append(ran, s.Recovered()); next(nil) })
			f := dial(srv)
			f.in("0")
			sid, pid := connectReplyOf(t, f.waitSent(t, "0"), "0")
			_ = srv.Emit("e")
			offset := offsetRe.FindStringSubmatch(f.take()[0])[1]
			f.c.OnClose("transport close", nil)
			g := dial(srv)
			g.in(fmt.Sprintf(`0{"pid":%q,"offset":%q}`, pid, offset))
			if got, _ := connectReplyOf(t, g.waitSent(t, "0"), "0"); got != sid {
				t.Fatal("not recovered")
			}
			want := []bool{false}
			if keep {
				want = append(want, true)
			}
			if fmt.Sprint(ran) != fmt.Sprint(want) {
				t.Fatalf("middlewares ran for %v, want %v", ran, want)
			}
		})
	}
}
