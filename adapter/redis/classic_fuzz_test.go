//go:build !js

package redis

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
)

// fakeClient is a Client without Redis for the fuzz target: publishes are
// counted, there is one server.
type fakeClient struct {
	mu        sync.Mutex
	published int
}

func (f *fakeClient) Publish(context.Context, string, []byte) error {
	f.mu.Lock()
	f.published++
	f.mu.Unlock()
	return nil
}
func (f *fakeClient) SPublish(context.Context, string, []byte) error     { return nil }
func (f *fakeClient) NumSub(context.Context, string) (int64, error)      { return 1, nil }
func (f *fakeClient) ShardNumSub(context.Context, string) (int64, error) { return 1, nil }
func (f *fakeClient) Subscribe(func(Message), SubscriberOptions) Subscriber {
	return fakeSubscriber{}
}
func (f *fakeClient) XAdd(context.Context, string, int64, ...string) (string, error) {
	return "", nil
}
func (f *fakeClient) XRead(context.Context, string, string, int64, time.Duration) ([]StreamEntry, error) {
	return nil, nil
}
func (f *fakeClient) XRange(context.Context, string, string, string) ([]StreamEntry, error) {
	return nil, nil
}
func (f *fakeClient) SetPX(context.Context, string, []byte, time.Duration) error { return nil }
func (f *fakeClient) GetDel(context.Context, string) ([]byte, bool, error)       { return nil, false, nil }
func (f *fakeClient) Close()                                                     {}

type fakeSubscriber struct{}

func (fakeSubscriber) Subscribe(context.Context, Kind, ...string) error   { return nil }
func (fakeSubscriber) Unsubscribe(context.Context, Kind, ...string) error { return nil }
func (fakeSubscriber) Close() error                                       { return nil }

// classicSeeds are messages of each kind as the Node nodes write them
// (from a recorded run), and a few broken ones.
var classicSeeds = []struct {
	kind    byte // 0 broadcast, 1 room broadcast, 2 request, 3 response
	payload string
}{
	{0, "\x93\xa6rOEJt2\x83\xa4type\x02\xa4data\x92\xa4ev88\x83\xa5check\xb1bcast all from n1\xa3seqX\xa4blob\x82\xa1nX\xa1s\xa5\xc3\xa9\xe2\x9c\x93\xa3nsp\xa1/\x83\xa5rooms\x90\xa6except\x90\xa5flags\x80"},
	{1, "\x93\xa7emitter\x83\xa4type\x02\xa4data\x92\xa5ev101\xc4\x03\x00\x01\x02\xa3nsp\xa1/\x83\xa5rooms\x91\xa3red\xa5flags\x80\xa6except\x90"},
	{2, "\x85\xa3uid\xa6rOEJt2\xa9requestId\xa6krGFeW\xa4type\x07\xa6packet\x83\xa4type\x02\xa4data\x92\xa4ping\xc0\xa3nsp\xa1/\xa4opts\x83\xa5rooms\x91\xa3red\xa6except\x90\xa5flags\x81\xa7timeout\xcd\x07\xd0"},
	{2, `{"uid":"iKD9rW","requestId":"sX3IjW","type":5,"opts":{"rooms":["green"],"except":[]}}`},
	{2, `{"uid":"EwUt_x","type":2,"opts":{"rooms":["blue"],"except":[]},"rooms":["joined"]}`},
	{2, `{"uid":"iKD9rW","type":3,"opts":{"rooms":["joined"],"except":[]},"rooms":["joined"]}`},
	{2, `{"uid":"rOEJt2","type":4,"opts":{"rooms":["doomed"],"except":[]},"close":true}`},
	{2, `{"uid":"rOEJt2","requestId":"ty1biz","type":6,"data":["hello",{"from":"n1"}]}`},
	{2, `{"uid":"x","requestId":"a","type":0,"rooms":["r"]}`},
	{2, `{"uid":"x","requestId":"a","type":1}`},
	{2, `{"uid":"x","requestId":"a","type":2,"sid":"s","room":"r"}`},
	{3, `{"type":8,"requestId":"krGFeW","clientCount":2}`},
	{3, "\x83\xa4type\t\xa9requestId\xa6krGFeW\xa6packet\x81\xa4name\xa9ws-red-n3"},
	{3, `{"requestId":"sX3IjW","sockets":[{"id":"NhLllaji0mSHrGdnAAAD","handshake":{"headers":{"host":"x"},"time":"Wed Dec 02 2026 05:51:42 GMT+0000 (Coordinated Universal Time)","address":"127.0.0.1","xdomain":false,"secure":false,"issued":1796190702483,"url":"/","query":{"EIO":"4"},"auth":{}},"rooms":["NhLllaji0mSHrGdnAAAD"],"data":{}}]}`},
	{3, `{"type":6,"requestId":"ty1biz","data":"n3"}`},
	{0, "\xc1"},
	{2, "{"},
}

// FuzzClassicMessage feeds anything to a classic adapter's message handler,
// on each of its channels: it never panics (errors are logged and dropped).
func FuzzClassicMessage(f *testing.F) {
	for _, s := range classicSeeds {
		f.Add(s.kind, []byte(s.payload))
	}
	fc := &fakeClient{}
	srv := server.New(&server.Options{
		Adapter: NewClassic(fc, &ClassicOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RequestsTimeout: time.Second}).Adapter,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	f.Cleanup(func() { _ = srv.Close(context.Background()) })
	a := srv.Of("/").Adapter().(*ClassicAdapter)
	a.OnServerSideEmit("hello", func(args server.Args, ack func(any) error) { _ = ack(args.Len()) })
	// Pending requests, so that responses are matched too.
	a.mu.Lock()
	a.requests["sX3IjW"] = &classicRequest{typ: reqRemoteFetch, want: 1 << 30, done: make(chan struct{})}
	a.requests["ty1biz"] = &classicRequest{typ: reqServerSideEmit, want: 1 << 30, done: make(chan struct{})}
	a.requests["rooms1"] = &classicRequest{typ: reqAllRooms, want: 1 << 30, rooms: map[string]struct{}{}, done: make(chan struct{})}
	a.ackRequests["krGFeW"] = &ackRequest{onCount: func(int) {}, onAck: func(server.Args, error) {}}
	a.mu.Unlock()
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		m := Message{Kind: Channel, Payload: payload}
		switch kind % 4 {
		case 0:
			m.Kind, m.Pattern, m.Channel = Pattern, a.channel+"*", a.channel
		case 1:
			m.Kind, m.Pattern, m.Channel = Pattern, a.channel+"*", a.channel+"red#"
		case 2:
			m.Channel = a.requestChannel
		case 3:
			m.Channel = a.responseChannel
		}
		a.onMessage(m)
	})
}
