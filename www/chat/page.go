//go:build js && wasm

package main

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/www/chat/chatmsg"
)

// typingIdle is how long after the last keystroke "typing" turns off.
const typingIdle = 1500 * time.Millisecond

// page is the chat's UI state. Client handlers and DOM listeners both touch
// it, so it has a lock; DOM calls are cheap and never block.
type page struct {
	d    *dom
	sock *client.Socket
	log  *slog.Logger

	status, login, nick, room, join, errorBox   safejs.Value
	chat, roomName, users, messages, typingLine safejs.Value
	sendForm, text                              safejs.Value

	mu         sync.Mutex
	me         chatmsg.Joined // current room and nick (empty before joining)
	typers     map[string]bool
	typing     bool
	typingStop *time.Timer
}

func newPage(d *dom, sock *client.Socket, log *slog.Logger) (*page, error) {
	p := &page{d: d, sock: sock, log: log, typers: map[string]bool{}}
	for id, dst := range map[string]*safejs.Value{
		"status": &p.status, "login": &p.login, "nick": &p.nick, "room": &p.room, "join": &p.join,
		"error": &p.errorBox, "chat": &p.chat, "room-name": &p.roomName, "users": &p.users,
		"messages": &p.messages, "typing": &p.typingLine, "send-form": &p.sendForm, "text": &p.text,
	} {
		el, err := d.byID(id)
		if err != nil {
			return nil, err
		}
		if el.IsNull() {
			return nil, fmt.Errorf("no element #%s", id)
		}
		*dst = el
	}
	return p, nil
}

// wire connects the socket's events and the page's controls.
func (p *page) wire() {
	p.setStatus("connecting…", false)
	p.sock.OnConnect(func() {
		p.setStatus("connected", true)
		p.mu.Lock()
		me := p.me
		p.mu.Unlock()
		if me.Room != "" { // reconnected: take the seat again
			p.sendJoin(chatmsg.Join{Room: me.Room, Nick: me.Nick})
		}
	})
	p.sock.OnDisconnect(func(reason string) { p.setStatus("disconnected: "+reason, false) })
	p.sock.OnConnectError(func(err error) { p.setStatus("cannot connect: "+err.Error(), false) })
	client.On(p.sock, chatmsg.EventMessage, func(_ *client.Event, m chatmsg.Message) {
		p.setTyping(m.Nick, false)
		p.addMessage(m)
	})
	client.On(p.sock, chatmsg.EventPresence, func(_ *client.Event, pr chatmsg.Presence) {
		verb := "left"
		if pr.Joined {
			verb = "joined"
		} else {
			p.setTyping(pr.Nick, false)
		}
		p.addSystem(pr.Nick + " " + verb + " #" + pr.Room)
		p.showUsers(pr.Users)
	})
	client.On(p.sock, chatmsg.EventTyping, func(_ *client.Event, t chatmsg.Typing) {
		p.setTyping(t.Nick, t.Typing)
	})

	p.on(p.login, "submit", true, func() {
		p.sendJoin(chatmsg.Join{Room: value(p.room), Nick: value(p.nick)})
	})
	p.on(p.sendForm, "submit", true, func() {
		text := strings.TrimSpace(value(p.text))
		if text == "" {
			return
		}
		_ = p.text.Set("value", "")
		p.stopTyping()
		p.sock.Emit(chatmsg.EventSay, chatmsg.Say{Text: text}, client.AckFunc(func(a client.Args, err error) {
			var r chatmsg.Said
			if err == nil {
				err = a.Decode(0, &r)
			}
			switch {
			case err != nil:
				p.addSystem("not sent: " + err.Error())
			case !r.OK:
				p.addSystem("not sent: " + r.Error)
			}
		}))
	})
	p.on(p.text, "input", false, p.keystroke)
	_, _ = p.nick.Call("focus")
}

func (p *page) on(el safejs.Value, event string, prevent bool, fn func()) {
	if err := listen(el, event, prevent, fn); err != nil {
		p.log.Error("chat: addEventListener", "event", event, "err", err)
	}
}

func value(el safejs.Value) string { return strings.TrimSpace(str(el, "value")) }

func (p *page) sendJoin(j chatmsg.Join) {
	_ = p.errorBox.Set("textContent", "")
	p.sock.Timeout(10*time.Second).Emit(chatmsg.EventJoin, j, client.AckFunc(func(a client.Args, err error) {
		var r chatmsg.Joined
		if err == nil {
			err = a.Decode(0, &r)
		}
		if err == nil && r.Error != "" {
			err = fmt.Errorf("%s", r.Error)
		}
		if err != nil {
			_ = p.errorBox.Set("textContent", err.Error())
			return
		}
		p.mu.Lock()
		changed := p.me.Room != r.Room
		p.me = r
		clear(p.typers)
		p.mu.Unlock()
		if changed {
			_ = p.messages.Set("textContent", "")
		}
		_ = p.roomName.Set("textContent", r.Room)
		_ = p.chat.Set("hidden", false)
		_ = p.join.Set("textContent", "Switch")
		p.showUsers(r.Users)
		p.renderTyping()
		p.addSystem("you are " + r.Nick + " in #" + r.Room)
		_, _ = p.text.Call("focus")
	}))
}

func (p *page) setStatus(text string, on bool) {
	_ = p.status.Set("textContent", text)
	cls := "off"
	if on {
		cls = "on"
	}
	_ = p.status.Set("className", cls)
}

func (p *page) addMessage(m chatmsg.Message) {
	li, err := p.d.create("li", "message", "")
	if err != nil {
		return
	}
	t, _ := p.d.create("span", "time", time.UnixMilli(m.Time).Format("15:04"))
	n, _ := p.d.create("span", "nick", m.Nick)
	x, _ := p.d.create("span", "text", m.Text)
	for _, c := range []safejs.Value{t, n, x} {
		_, _ = li.Call("appendChild", c)
	}
	p.appendLine(li)
}

func (p *page) addSystem(text string) {
	if li, err := p.d.create("li", "system", text); err == nil {
		p.appendLine(li)
	}
}

func (p *page) appendLine(li safejs.Value) {
	_, _ = p.messages.Call("appendChild", li)
	if h, err := p.messages.Get("scrollHeight"); err == nil {
		_ = p.messages.Set("scrollTop", h)
	}
}

func (p *page) showUsers(users []string) {
	_ = p.users.Set("textContent", "")
	for _, u := range users {
		if li, err := p.d.create("li", "user", u); err == nil {
			_, _ = p.users.Call("appendChild", li)
		}
	}
}

func (p *page) setTyping(nick string, typing bool) {
	p.mu.Lock()
	if nick == p.me.Nick {
		p.mu.Unlock()
		return
	}
	if typing {
		p.typers[nick] = true
	} else {
		delete(p.typers, nick)
	}
	p.mu.Unlock()
	p.renderTyping()
}

func (p *page) renderTyping() {
	p.mu.Lock()
	names := make([]string, 0, len(p.typers))
	for n := range p.typers {
		names = append(names, n)
	}
	p.mu.Unlock()
	slices.Sort(names)
	text := ""
	switch len(names) {
	case 0:
	case 1:
		text = names[0] + " is typing…"
	default:
		text = strings.Join(names, ", ") + " are typing…"
	}
	_ = p.typingLine.Set("textContent", text)
}

// keystroke reports typing on the first key and stops it after typingIdle.
func (p *page) keystroke() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.me.Room == "" {
		return
	}
	if !p.typing {
		p.typing = true
		p.sock.Volatile().Emit(chatmsg.EventTyping, chatmsg.Typing{Typing: true})
	}
	if p.typingStop != nil {
		p.typingStop.Stop()
	}
	p.typingStop = time.AfterFunc(typingIdle, p.stopTyping)
}

func (p *page) stopTyping() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.typingStop != nil {
		p.typingStop.Stop()
		p.typingStop = nil
	}
	if p.typing {
		p.typing = false
		p.sock.Volatile().Emit(chatmsg.EventTyping, chatmsg.Typing{Typing: false})
	}
}
