//go:build !js

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChat runs the demo chat (www/chat, Go compiled to wasm, against
// cmd/duplex-demo) in three tabs: nicknames (unique per room), rooms,
// messages and the typing indicator. It takes a screenshot of the chat into
// $DUPLEX_CHAT_SCREENSHOT when set (docs/chat.png is made that way), else
// into a temporary directory.
func TestChat(t *testing.T) {
	d := startDemo(t, "127.0.0.1:0", filepath.Join(repoRoot(), "www"))
	open := func(name string) *tab {
		tb := newTab(t, name)
		tb.do(chromedp.EmulateViewport(960, 600))
		tb.navigate(d.origin + "/chat/")
		waitJS[bool](tb, `document.getElementById("status").textContent === "connected"`, waitLong)
		return tb
	}
	join := func(tb *tab, nick, room string) {
		eval[bool](tb, `document.getElementById("nick").value = "`+nick+`", document.getElementById("room").value = "`+room+`", true`)
		tb.do(chromedp.Click(chromedp.ID("join")))
	}
	text := func(tb *tab, id string) string {
		return eval[string](tb, `document.getElementById("`+id+`").textContent`)
	}
	joined := func(tb *tab, room string) {
		waitJS[bool](tb, `!document.getElementById("chat").hidden && document.getElementById("room-name").textContent === "`+room+`"`, waitShort)
	}

	alice := open("alice")
	join(alice, "alice", "lobby")
	joined(alice, "lobby")

	bob := open("bob")
	join(bob, "bob", "lobby")
	joined(bob, "lobby")
	waitJS[bool](alice, `document.getElementById("users").textContent === "alicebob"`, waitShort)
	waitJS[bool](alice, `document.getElementById("messages").textContent.includes("bob joined #lobby")`, waitShort)

	// A taken nickname is refused; another room is separate.
	carol := open("carol")
	join(carol, "Alice", "lobby")
	waitJS[bool](carol, `document.getElementById("error").textContent.includes("taken")`, waitShort)
	join(carol, "carol", "random")
	joined(carol, "random")

	// Typing indicator, then the message.
	bob.do(chromedp.SendKeys(chromedp.ID("text"), "hi alice, this chat is Go on both ends"))
	waitJS[bool](alice, `document.getElementById("typing").textContent === "bob is typing…"`, waitShort)
	bob.do(chromedp.Click(chromedp.ID("send")))
	waitJS[bool](alice, `document.getElementById("messages").textContent.includes("hi alice, this chat is Go on both ends")`, waitShort)
	waitJS[bool](alice, `document.getElementById("typing").textContent === ""`, waitShort)
	alice.do(chromedp.SendKeys(chromedp.ID("text"), "nice: rooms, nicknames and typing"))
	waitJS[bool](bob, `document.getElementById("typing").textContent === "alice is typing…"`, waitShort)
	alice.do(chromedp.Click(chromedp.ID("send")))
	waitJS[bool](bob, `document.getElementById("messages").textContent.includes("nice: rooms, nicknames and typing")`, waitShort)
	waitJS[bool](alice, `document.getElementById("messages").textContent.includes("nice: rooms, nicknames and typing")`, waitShort)
	// Start typing again so that the screenshot shows the indicator.
	bob.do(chromedp.SendKeys(chromedp.ID("text"), "and wasm"))
	waitJS[bool](alice, `document.getElementById("typing").textContent === "bob is typing…"`, waitShort)

	if m := text(carol, "messages"); strings.Contains(m, "hi alice") || strings.Contains(m, "nice:") {
		t.Errorf("carol in #random got #lobby's messages: %q", m)
	}

	png, err := chromedp.Run(alice.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("DUPLEX_CHAT_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "chat.png")
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("chat screenshot: %s (%d bytes)", out, len(png))

	// Bob closes his tab: alice sees him leave.
	bob.close()
	waitJS[bool](alice, `document.getElementById("messages").textContent.includes("bob left #lobby")`, waitShort)
	waitJS[bool](alice, `document.getElementById("users").textContent === "alice"`, waitShort)
	for _, tb := range []*tab{alice, carol} {
		if ex := tb.exceptions(); len(ex) > 0 {
			t.Errorf("tab %s: uncaught exceptions: %s", tb.name, strings.Join(ex, "\n"))
		}
	}
}
