package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// BasicAuth is the UI's login: a username and the bcrypt hash of the password
// (as the reference: `bcrypt.GenerateFromPassword`, or `htpasswd -nbBC 10`).
type BasicAuth struct {
	Username     string
	PasswordHash string
}

// check reports whether username and password match.
func (b *BasicAuth) check(username, password string) bool {
	if username != b.Username {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(b.PasswordHash), []byte(password)) == nil
}

// SessionStore keeps the session ids handed to admins who logged in, so that
// the UI reconnects (a reload, a network blip) without the password. Share one
// store between the nodes of a cluster (e.g. in Redis) for the UI to log in to
// any of them.
type SessionStore interface {
	SaveSession(ctx context.Context, id string) error
	SessionExists(ctx context.Context, id string) (bool, error)
}

// MemoryStore is a SessionStore in memory, for one server. Sessions expire
// after its TTL (NewMemoryStore).
type MemoryStore struct {
	ttl      time.Duration
	mu       sync.Mutex
	sessions map[string]time.Time // id -> expiry
}

// NewMemoryStore returns a store whose sessions last ttl (0: 24 h, as the
// reference's Redis store).
func NewMemoryStore(ttl time.Duration) *MemoryStore {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &MemoryStore{ttl: ttl, sessions: make(map[string]time.Time)}
}

// SaveSession implements SessionStore; expired sessions are dropped on the
// way, so the store stays bounded by the logins of one TTL.
func (m *MemoryStore) SaveSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	for k, exp := range m.sessions {
		if now.After(exp) {
			delete(m.sessions, k)
		}
	}
	m.sessions[id] = now.Add(m.ttl)
	return nil
}

// SessionExists implements SessionStore.
func (m *MemoryStore) SessionExists(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.sessions[id]
	return ok && time.Now().Before(exp), nil
}

// newSessionID returns 8 random bytes in hex, as the reference.
func newSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
