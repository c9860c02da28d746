package cluster

import (
	"context"
	"time"
)

// heartbeats runs heartbeat mode (Config.HeartbeatInterval): Node's
// ClusterAdapterWithHeartbeat announces itself, sends a heartbeat after each
// interval without publishing, and forgets the nodes silent for longer than
// the timeout. It ends at Close.
func (a *Adapter) heartbeats() {
	defer a.wg.Done()
	_, _ = a.publish(a.ctx, a.message(InitialHeartbeat, nil))
	tick := time.NewTicker(min(a.cfg.HeartbeatInterval, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case now := <-tick.C:
			a.mu.Lock()
			due := now.Sub(a.lastPublish) >= a.cfg.HeartbeatInterval
			var gone []string
			for uid, seen := range a.nodes {
				if now.Sub(seen) > a.cfg.HeartbeatTimeout {
					gone = append(gone, uid)
				}
			}
			a.mu.Unlock()
			for _, uid := range gone {
				a.log.Info("cluster: node seems down", "node", uid)
				a.removeNode(uid)
			}
			if due {
				ctx, cancel := context.WithTimeout(a.ctx, a.cfg.HeartbeatInterval)
				_, _ = a.publish(ctx, a.message(Heartbeat, nil))
				cancel()
			}
		}
	}
}

// touchHeartbeat records a publication (any message counts as a heartbeat).
func (a *Adapter) touchHeartbeat() {
	if a.nodes == nil {
		return
	}
	a.mu.Lock()
	a.lastPublish = time.Now()
	a.mu.Unlock()
}

// removeNode forgets node uid: requests waiting for it complete without it.
func (a *Adapter) removeNode(uid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.nodes, uid)
	for _, r := range a.requests {
		if r.missing != nil && r.missing[uid] {
			delete(r.missing, uid)
			if r.finished() {
				r.complete()
			}
		}
	}
}
