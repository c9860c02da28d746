//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"
)

// dom is the few DOM operations the page needs, through safejs: every call
// can fail (a missing element is a bug of index.html), and errors are logged
// by the caller rather than panicking.
type dom struct {
	doc safejs.Value
}

func newDOM() (*dom, error) {
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return nil, err
	}
	return &dom{doc: doc}, nil
}

// byID returns the element with the id.
func (d *dom) byID(id string) (safejs.Value, error) {
	return d.doc.Call("getElementById", id)
}

// create returns a new element with the class and text (set as text, never
// parsed as HTML).
func (d *dom) create(tag, class, text string) (safejs.Value, error) {
	el, err := d.doc.Call("createElement", tag)
	if err != nil {
		return el, err
	}
	if class != "" {
		if err := el.Set("className", class); err != nil {
			return el, err
		}
	}
	if text != "" {
		if err := el.Set("textContent", text); err != nil {
			return el, err
		}
	}
	return el, nil
}

// listen adds an event listener that lives as long as the page. A JS
// callback must never block, so fn runs on a new goroutine; the default
// action (a form's submission) is prevented at once when prevent is set.
func listen(el safejs.Value, event string, prevent bool, fn func()) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if prevent && len(args) > 0 {
			_, _ = args[0].Call("preventDefault")
		}
		go fn()
		return nil
	})
	if err != nil {
		return err
	}
	_, err = el.Call("addEventListener", event, f.Value())
	return err
}

func str(v safejs.Value, prop string) string {
	p, err := v.Get(prop)
	if err != nil {
		return ""
	}
	s, _ := p.String()
	return s
}
