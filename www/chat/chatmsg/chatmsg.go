// Package chatmsg holds the events of the demo chat, shared by the Go server
// (cmd/duplex-demo) and the Go browser page (www/chat): one struct per
// payload, decoded with the typed On[T] handlers on both ends.
package chatmsg

// Namespace is the chat's Socket.IO namespace.
const Namespace = "/chat"

// Event names.
const (
	EventJoin     = "join"     // client -> server: Join, ack Joined
	EventSay      = "say"      // client -> server: Say, ack Said
	EventTyping   = "typing"   // client -> server: Typing (Nick ignored); server -> room: Typing
	EventMessage  = "message"  // server -> room: Message
	EventPresence = "presence" // server -> room: Presence
)

// Limits enforced by the server.
const (
	MaxNick = 24
	MaxRoom = 32
	MaxText = 500
)

// Join asks to enter Room as Nick (leaving the current room).
type Join struct {
	Room string `json:"room"`
	Nick string `json:"nick"`
}

// Joined answers Join: the room and who is in it, or an Error.
type Joined struct {
	Room  string   `json:"room,omitempty"`
	Nick  string   `json:"nick,omitempty"`
	Users []string `json:"users,omitempty"`
	Error string   `json:"error,omitempty"`
}

// Say sends Text to the current room.
type Say struct {
	Text string `json:"text"`
}

// Said answers Say.
type Said struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Message is a chat line, sent to everyone in the room (the sender included).
type Message struct {
	Room string `json:"room"`
	Nick string `json:"nick"`
	Text string `json:"text"`
	Time int64  `json:"time"` // Unix milliseconds, server clock
}

// Typing tells the room that Nick started or stopped typing.
type Typing struct {
	Nick   string `json:"nick"`
	Typing bool   `json:"typing"`
}

// Presence tells the room that Nick joined or left, and who is there now.
type Presence struct {
	Room   string   `json:"room"`
	Nick   string   `json:"nick"`
	Joined bool     `json:"joined"`
	Users  []string `json:"users"`
}
