#!/bin/sh
# Instructions the server executes per unit of work, independent of the
# machine's load: the server binary runs under valgrind's callgrind twice,
# once with bench/cmd/fixedload's work of FIXEDLOAD_ARGS plus -echo N1 (or
# -bursts N1) and once with N2; the difference of the two totals over the
# difference of the work is what one round trip (or one burst) costs, the
# process start, the connects and the leaves cancelled out.
#
# usage: bench/callgrind.sh echo|bursts N1 N2 UNITS_PER_N 'SERVER CMD' 'FIXEDLOAD ARGS'
#   e.g. bench/callgrind.sh echo 200 400 100 '/tmp/bin/server' '-clients 100'
#        (UNITS_PER_N: round trips per -echo step = the clients; for bursts:
#         delivered messages per burst = clients × count)
# The server command must listen on 127.0.0.1:0 and print "listening PORT".
# Go servers: build them with CGO_ENABLED=0; they run with
# GODEBUG=asyncpreemptoff=1 (callgrind 3.19 asserts on the preemption
# signals, and on any other signal: the totals are dumped with
# callgrind_control before the server is killed with SIGKILL).
set -eu
kind=$1 n1=$2 n2=$3 units=$4 server=$5 args=$6
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root/bench" && go build -o "$tmp/fixedload" ./cmd/fixedload)
total() { # $1: work amount; prints the instruction total
	out="$tmp/cg.$1"
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$out" $server >"$tmp/log.$1" 2>"$tmp/err.$1" &
	vpid=$!
	port=""
	for _ in $(seq 600); do
		port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$tmp/log.$1" | head -1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { cat "$tmp/err.$1" >&2; kill "$vpid"; echo "server did not start" >&2; exit 1; }
	"$tmp/fixedload" -addr "127.0.0.1:$port" $args "-$kind" "$1" >&2
	callgrind_control -d "$vpid" >/dev/null
	for _ in $(seq 300); do
		grep -q '^totals:' "$out.1" 2>/dev/null && break
		sleep 0.1
	done
	kill -KILL "$vpid"
	wait "$vpid" 2>/dev/null || true
	sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out.1"
}
t1=$(total "$n1")
t2=$(total "$n2")
echo "instructions: $t1 with -$kind $n1, $t2 with -$kind $n2"
awk -v a="$t1" -v b="$t2" -v n1="$n1" -v n2="$n2" -v u="$units" \
	'BEGIN { printf "instructions per unit: %.0f\n", (b - a) / ((n2 - n1) * u) }'
