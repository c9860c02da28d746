package main

import (
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/www/chat/chatmsg"
)

// chat is the server side of www/chat: rooms, nicknames (unique per room)
// and the typing indicator.
type chat struct {
	nsp *server.Namespace
	log *slog.Logger

	mu    sync.Mutex
	rooms map[string]map[string]string // room -> socket id -> nick
}

// member is where a socket is in the chat.
type member struct {
	room, nick string
}

func newChat(nsp *server.Namespace, log *slog.Logger) *chat {
	c := &chat{nsp: nsp, log: log, rooms: make(map[string]map[string]string)}
	nsp.OnConnection(c.connect)
	return c
}

func (c *chat) connect(s *server.Socket) {
	server.On(s, chatmsg.EventJoin, func(e *server.Event, j chatmsg.Join) {
		e.Ack(c.join(s, j))
	})
	server.On(s, chatmsg.EventSay, func(e *server.Event, m chatmsg.Say) {
		e.Ack(c.say(s, m))
	})
	server.On(s, chatmsg.EventTyping, func(e *server.Event, t chatmsg.Typing) {
		if m, ok := c.member(s); ok {
			s.To(m.room).Emit(chatmsg.EventTyping, chatmsg.Typing{Nick: m.nick, Typing: t.Typing})
		}
	})
	s.OnDisconnect(func(reason string) {
		c.log.Info("chat: disconnect", "id", s.ID(), "reason", reason)
		c.leave(s)
	})
}

func (c *chat) member(s *server.Socket) (member, bool) {
	v, ok := s.Data().Load("member")
	if !ok {
		return member{}, false
	}
	m, ok := v.(member)
	return m, ok
}

func clean(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

func (c *chat) join(s *server.Socket, j chatmsg.Join) chatmsg.Joined {
	room, nick := strings.ToLower(clean(j.Room, chatmsg.MaxRoom)), clean(j.Nick, chatmsg.MaxNick)
	if room == "" || nick == "" {
		return chatmsg.Joined{Error: "a room and a nickname are required"}
	}
	if m, ok := c.member(s); ok && m.room == room && m.nick == nick {
		return chatmsg.Joined{Room: room, Nick: nick, Users: c.users(room)}
	}
	c.mu.Lock()
	for id, n := range c.rooms[room] {
		if id != s.ID() && strings.EqualFold(n, nick) {
			c.mu.Unlock()
			return chatmsg.Joined{Error: "the nickname " + nick + " is taken in " + room}
		}
	}
	c.mu.Unlock()
	c.leave(s)
	c.mu.Lock()
	if c.rooms[room] == nil {
		c.rooms[room] = make(map[string]string)
	}
	c.rooms[room][s.ID()] = nick
	c.mu.Unlock()
	s.Data().Store("member", member{room: room, nick: nick})
	s.Join(room)
	users := c.users(room)
	s.To(room).Emit(chatmsg.EventPresence, chatmsg.Presence{Room: room, Nick: nick, Joined: true, Users: users})
	c.log.Info("chat: join", "room", room, "nick", nick)
	return chatmsg.Joined{Room: room, Nick: nick, Users: users}
}

func (c *chat) say(s *server.Socket, m chatmsg.Say) chatmsg.Said {
	mem, ok := c.member(s)
	if !ok {
		return chatmsg.Said{Error: "join a room first"}
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return chatmsg.Said{Error: "empty message"}
	}
	if utf8.RuneCountInString(text) > chatmsg.MaxText {
		text = string([]rune(text)[:chatmsg.MaxText])
	}
	c.nsp.To(mem.room).Emit(chatmsg.EventMessage, chatmsg.Message{
		Room: mem.room, Nick: mem.nick, Text: text, Time: time.Now().UnixMilli(),
	})
	return chatmsg.Said{OK: true}
}

// leave takes s out of its room and tells the room.
func (c *chat) leave(s *server.Socket) {
	m, ok := c.member(s)
	if !ok {
		return
	}
	s.Data().Delete("member")
	c.mu.Lock()
	delete(c.rooms[m.room], s.ID())
	if len(c.rooms[m.room]) == 0 {
		delete(c.rooms, m.room)
	}
	c.mu.Unlock()
	s.Leave(m.room)
	c.log.Info("chat: leave", "room", m.room, "nick", m.nick)
	c.nsp.To(m.room).Emit(chatmsg.EventPresence, chatmsg.Presence{Room: m.room, Nick: m.nick, Users: c.users(m.room)})
}

func (c *chat) users(room string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	users := make([]string, 0, len(c.rooms[room]))
	for _, n := range c.rooms[room] {
		users = append(users, n)
	}
	slices.Sort(users)
	return users
}
