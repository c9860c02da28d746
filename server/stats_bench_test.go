package server

import "testing"

// BenchmarkStatsEventHook is what the statistics add to each received event
// (the deferred hook of Socket.run, without observers): the name's counter,
// and one event in HandlerSampling timed. It must not allocate.
func BenchmarkStatsEventHook(b *testing.B) {
	srv := New(nil)
	s := &Socket{nsp: srv.main}
	e := &Event{Name: "chat"}
	b.ReportAllocs()
	for b.Loop() {
		srv.eventHandled(srv.eventReceived(s, e))
	}
}
