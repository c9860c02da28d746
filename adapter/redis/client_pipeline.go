package redis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/rueidis"
)

// Cmd is a write command of a pipeline: PUBLISH, SPUBLISH or XADD, built by
// PublishCmd, SPublishCmd and XAddCmd.
type Cmd struct {
	// Name is the command (PUBLISH, SPUBLISH, XADD).
	Name string
	// Key is the channel, shard channel or stream (which routes the command
	// in a Redis Cluster).
	Key string
	// Args are the arguments after Key.
	Args []string
}

// PublishCmd returns the command PUBLISH channel payload.
func PublishCmd(channel string, payload []byte) Cmd {
	return Cmd{Name: "PUBLISH", Key: channel, Args: []string{string(payload)}}
}

// SPublishCmd returns the command SPUBLISH channel payload (Redis 7).
func SPublishCmd(channel string, payload []byte) Cmd {
	return Cmd{Name: "SPUBLISH", Key: channel, Args: []string{string(payload)}}
}

// XAddCmd returns the command of Client.XAdd: XADD stream [MAXLEN ~ maxLen]
// * fields...
func XAddCmd(stream string, maxLen int64, fields ...string) Cmd {
	args := make([]string, 0, 4+len(fields))
	if maxLen > 0 {
		args = append(args, "MAXLEN", "~", strconv.FormatInt(maxLen, 10))
	}
	args = append(args, "*")
	return Cmd{Name: "XADD", Key: stream, Args: append(args, fields...)}
}

// Pipeliner is an optional interface of a Client that sends several
// commands in one round trip. NewClient's Client implements it (rueidis
// DoMulti).
type Pipeliner interface {
	// Pipeline sends cmds in order, in one round trip (per Redis Cluster
	// node), and returns for each its reply (XADD's entry id; "" for the
	// integer reply of PUBLISH and SPUBLISH) and its error; both slices
	// have len(cmds) entries. Like the Client's other writes, it is not
	// retried.
	Pipeline(ctx context.Context, cmds []Cmd) (replies []string, errs []error)
}

// pipeline sends cmds with c's Pipeline when c is a Pipeliner, else one
// after the other.
func pipeline(ctx context.Context, c Client, cmds []Cmd) ([]string, []error) {
	if p, ok := c.(Pipeliner); ok {
		return p.Pipeline(ctx, cmds)
	}
	replies, errs := make([]string, len(cmds)), make([]error, len(cmds))
	for i, cmd := range cmds {
		switch cmd.Name {
		case "PUBLISH":
			errs[i] = c.Publish(ctx, cmd.Key, []byte(cmd.Args[0]))
		case "SPUBLISH":
			errs[i] = c.SPublish(ctx, cmd.Key, []byte(cmd.Args[0]))
		case "XADD":
			// XAddCmd's arguments: [MAXLEN ~ n] * fields...
			var maxLen int64
			args := cmd.Args
			if len(args) >= 3 && args[0] == "MAXLEN" {
				maxLen, _ = strconv.ParseInt(args[2], 10, 64)
				args = args[3:]
			}
			if len(args) > 0 && args[0] == "*" {
				args = args[1:]
			}
			replies[i], errs[i] = c.XAdd(ctx, cmd.Key, maxLen, args...)
		default:
			errs[i] = fmt.Errorf("redis: pipeline: unknown command %q", cmd.Name)
		}
	}
	return replies, errs
}

// Pipeline implements Pipeliner over rueidis DoMulti.
func (r *rueidisClient) Pipeline(ctx context.Context, cmds []Cmd) ([]string, []error) {
	built := make(rueidis.Commands, len(cmds))
	for i, cmd := range cmds {
		built[i] = r.c.B().Arbitrary(cmd.Name).Keys(cmd.Key).Args(cmd.Args...).Build()
	}
	replies, errs := make([]string, len(cmds)), make([]error, len(cmds))
	for i, res := range r.c.DoMulti(ctx, built...) {
		if cmds[i].Name == "XADD" {
			replies[i], errs[i] = res.ToString()
		} else {
			errs[i] = res.Error()
		}
		errs[i] = wrap(cmds[i].Name, errs[i])
	}
	return replies, errs
}
