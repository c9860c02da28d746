package engine

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// defaultCORSMethods are the `cors` npm package's default methods.
const defaultCORSMethods = "GET,HEAD,PUT,PATCH,POST,DELETE"

// anyOrigin reports whether c allows every origin.
func (c *CORS) anyOrigin() bool {
	return c.AllowOrigin == nil && (len(c.Origins) == 0 || slices.Contains(c.Origins, "*"))
}

// allows reports whether origin may make cross-origin requests.
func (c *CORS) allows(origin string) bool {
	if c.anyOrigin() {
		return true
	}
	if c.AllowOrigin != nil {
		return c.AllowOrigin(origin)
	}
	return slices.Contains(c.Origins, origin)
}

// allowOrigin returns the Access-Control-Allow-Origin value of a response
// to a request from origin ("": none), and whether the response varies
// with the Origin header.
func (c *CORS) allowOrigin(origin string) (allow string, vary bool) {
	if c.anyOrigin() {
		// With Credentials too, as the `cors` package does: browsers refuse
		// a credentialed response to "*", so no site reads a handshake made
		// with its visitor's cookies (an origin is echoed only when
		// Origins or AllowOrigin allows it).
		return "*", false
	}
	if origin != "" && c.allows(origin) {
		return origin, true
	}
	return "", true
}

// apply sets the CORS headers of a response to r. For a preflight request
// (OPTIONS) it writes the whole 204 response and returns true.
func (c *CORS) apply(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	allow, vary := c.allowOrigin(r.Header.Get("Origin"))
	if vary {
		h.Add("Vary", "Origin")
	}
	if allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
	}
	if c.Credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method != http.MethodOptions {
		return false
	}
	methods := defaultCORSMethods
	if len(c.Methods) > 0 {
		methods = strings.Join(c.Methods, ",")
	}
	h.Set("Access-Control-Allow-Methods", methods)
	if len(c.AllowedHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowedHeaders, ","))
	} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Add("Vary", "Access-Control-Request-Headers")
		h.Set("Access-Control-Allow-Headers", req)
	}
	if c.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.FormatInt(int64(c.MaxAge/time.Second), 10))
	}
	writeEmpty(w, http.StatusNoContent)
	return true
}
