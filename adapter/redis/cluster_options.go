package redis

import (
	"log/slog"

	"github.com/duplexio/duplex/server/cluster"
)

// clusterDefaults returns the logger of a mode built on server/cluster
// (default slog.Default()) and the config of its namespaces' adapters: a
// copy of cc that logs there when cc names no logger of its own.
func clusterDefaults(cc *cluster.Config, log *slog.Logger) (*cluster.Config, *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if cc != nil && cc.Logger != nil {
		return cc, log
	}
	c := cluster.Config{}
	if cc != nil {
		c = *cc
	}
	c.Logger = log
	return &c, log
}
