#!/usr/bin/env bash
# compare.sh: the server's micro-benchmarks of two commits, run alternately.
#
#   bench/compare.sh [-n ROUNDS] [-t BENCHTIME] [-c CPUS] [-m wall|cpu] BASE HEAD
#
# Builds the test binaries of ./server and ./server/engine at BASE and at HEAD
# (each in a detached `git worktree` under a temporary directory, removed at
# the end), then runs them ROUNDS times (default 6), alternating BASE and HEAD
# and swapping which goes first every round, so that the machine's drift and
# noise fall on both alike. Prints, per benchmark, the median and the minimum
# ns/op of each commit with the HEAD/BASE ratios, and the median B/op and
# allocs/op. On a shared, loaded machine the minimum (the run least disturbed
# by other processes) is the steadier figure; the median says how noisy it
# was. The raw `go test` output is kept in $OUT (default:
# ${TMPDIR:-/tmp}/bench-compare-raw.txt).
#
# -m cpu measures CPU time instead of elapsed time, for a machine that other
# processes load (elapsed time then mostly measures the wait for a core): a
# first run of each commit at BENCHTIME gives every benchmark's iteration
# count N and its B/op and allocs/op; then each round runs each benchmark
# alone, with -test.benchtime=Nx and with 1x, under /usr/bin/time, and
# counts (user+sys of the Nx run - user+sys of the 1x run) / (N-1) as its
# CPU ns/op (the setup, done by both runs, cancels out). It includes the CPU
# of every goroutine of the benchmark (the websocket clients of the echo and
# websocket broadcast benchmarks too). /usr/bin/time has 10 ms resolution:
# keep N runs near a second (BENCHTIME 1s).
#
# Benchmarks: server/engine EchoWebsocket; server Broadcast, DispatchEvent,
# EchoAck, SocketEmit (override with ENGINE_BENCH / SERVER_BENCH, regular
# expressions for -test.bench). No assertion: a human reads the table.
set -euo pipefail

rounds=6
benchtime=1s
cpus=$(nproc)
mode=wall
while getopts "n:t:c:m:" o; do
	case $o in
	m) mode=$OPTARG ;;
	n) rounds=$OPTARG ;;
	t) benchtime=$OPTARG ;;
	c) cpus=$OPTARG ;;
	*) echo "usage: $0 [-n ROUNDS] [-t BENCHTIME] [-c CPUS] [-m wall|cpu] BASE HEAD" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	echo "usage: $0 [-n ROUNDS] [-t BENCHTIME] [-c CPUS] [-m wall|cpu] BASE HEAD" >&2
	exit 2
fi
case $mode in wall | cpu) ;; *) echo "$0: -m wall or cpu" >&2; exit 2 ;; esac
if [ "$mode" = cpu ] && [ ! -x /usr/bin/time ]; then
	echo "$0: -m cpu needs /usr/bin/time (apt-get install time)" >&2
	exit 1
fi
GO=${GO:-go}
ENGINE_BENCH=${ENGINE_BENCH:-'^BenchmarkEchoWebsocket$'}
SERVER_BENCH=${SERVER_BENCH:-'^Benchmark(Broadcast|DispatchEvent|EchoAck|SocketEmit)$'}

repo=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
out=${OUT:-$tmp/raw.txt}
worktrees=()
cleanup() {
	for w in "${worktrees[@]}"; do git -C "$repo" worktree remove --force "$w" >/dev/null 2>&1 || true; done
	if [ -z "${OUT:-}" ]; then cp "$out" "${TMPDIR:-/tmp}/bench-compare-raw.txt" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

declare -A rev
for side in base head; do
	ref=$1
	shift
	r=$(git -C "$repo" rev-parse --short "$ref^{commit}")
	rev[$side]=$r
	w=$tmp/src-$side
	git -C "$repo" worktree add --detach "$w" "$r" >/dev/null 2>&1
	worktrees+=("$w")
	echo "building $side = $r ($(git -C "$repo" log -1 --format=%s "$r" | cut -c1-70))" >&2
	# GOWORK=off: the root module alone (its go.work lists modules a commit may not have).
	(cd "$w" && GOWORK=off $GO test -c -o "$tmp/$side-engine.test" ./server/engine &&
		GOWORK=off $GO test -c -o "$tmp/$side-server.test" ./server)
done

: >"$out"
run() { # side round
	local side=$1
	(cd "$tmp/src-$side/server/engine" && "$tmp/$side-engine.test" -test.run '^$' -test.bench "$ENGINE_BENCH" \
		-test.benchmem -test.benchtime "$benchtime" -test.cpu "$cpus") | sed -n "s/^Benchmark/$side Benchmark/p" >>"$out"
	(cd "$tmp/src-$side/server" && "$tmp/$side-server.test" -test.run '^$' -test.bench "$SERVER_BENCH" \
		-test.benchmem -test.benchtime "$benchtime" -test.cpu "$cpus") | sed -n "s/^Benchmark/$side Benchmark/p" >>"$out"
}
# cpu SIDE BIN NAME N: one CPU-time sample of benchmark NAME of SIDE's BIN
# (engine or server), appended to $out as "SIDE BenchmarkNAME N CPUNS ns/op".
cpu() {
	local side=$1 bin=$2 name=$3 n=$4 dir re t1 tn
	dir=$tmp/src-$side/server
	[ "$bin" = engine ] && dir=$dir/engine
	re=$(echo "Benchmark$name" | sed 's|[^/]*|^&$|g')
	(cd "$dir" && /usr/bin/time -f "%U %S" -o "$tmp/t1" "$tmp/$side-$bin.test" -test.run '^$' \
		-test.bench "$re" -test.benchtime 1x -test.cpu "$cpus" >/dev/null)
	(cd "$dir" && /usr/bin/time -f "%U %S" -o "$tmp/tn" "$tmp/$side-$bin.test" -test.run '^$' \
		-test.bench "$re" -test.benchtime "${n}x" -test.cpu "$cpus" >/dev/null)
	t1=$(awk '{print $1 + $2}' "$tmp/t1")
	tn=$(awk '{print $1 + $2}' "$tmp/tn")
	awk -v s="$side" -v b="$name" -v n="$n" -v t1="$t1" -v tn="$tn" \
		'BEGIN { printf "%s Benchmark%s %d %.1f ns/op\n", s, b, n, (tn - t1) * 1e9 / (n - 1) }' >>"$out"
}

if [ "$mode" = wall ]; then
	for ((i = 1; i <= rounds; i++)); do
		echo "round $i/$rounds" >&2
		if ((i % 2)); then run base; run head; else run head; run base; fi
	done
else
	echo "calibration run" >&2
	run base
	run head
	# Keep B/op and allocs/op; the elapsed ns/op of this run is not reported.
	sed -i 's| ns/op| wall-ns/op|' "$out"
	declare -A iters
	list=()
	while read -r name n; do
		name=${name#Benchmark}
		if [ "$cpus" -gt 1 ]; then name=${name%-"$cpus"}; fi
		[ -z "${iters[$name]:-}" ] && list+=("$name")
		if [ "${iters[$name]:-0}" -lt "$n" ]; then iters[$name]=$n; fi
	done < <(awk '{print $2, $3}' "$out")
	for ((i = 1; i <= rounds; i++)); do
		echo "round $i/$rounds" >&2
		for name in "${list[@]}"; do
			bin=server
			if (cd "$tmp/src-base/server/engine" && "$tmp/base-engine.test" -test.list "^Benchmark${name%%/*}\$" | grep -q .); then bin=engine; fi
			n=${iters[$name]}
			((n < 2)) && n=2
			if ((i % 2)); then cpu base $bin "$name" "$n"; cpu head $bin "$name" "$n"
			else cpu head $bin "$name" "$n"; cpu base $bin "$name" "$n"; fi
		done
	done
fi

# Medians and minimums per (side, benchmark); the -CPUS suffix go test adds
# when CPUS > 1 is dropped.
awk -v base="${rev[base]}" -v head="${rev[head]}" -v cpus="$cpus" -v mode="$mode" '
function median(list,   a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function min(list,   a, n, i, lo) {
	n = split(list, a, " "); lo = a[1] + 0
	for (i = 2; i <= n; i++) if (a[i] + 0 < lo) lo = a[i] + 0
	return lo
}
{
	side = $1; name = $2; sub(/^Benchmark/, "", name)
	if (cpus > 1 && substr(name, length(name) - length(cpus)) == "-" cpus) name = substr(name, 1, length(name) - length(cpus) - 1)
	if (!(name in seen)) { seen[name] = 1; order[++k] = name }
	for (i = 4; i < NF; i++) {
		if ($(i + 1) == "ns/op") ns[side, name] = ns[side, name] " " $i
		if ($(i + 1) == "B/op") by[side, name] = by[side, name] " " $i
		if ($(i + 1) == "allocs/op") al[side, name] = al[side, name] " " $i
	}
}
END {
	printf "| benchmark (%s) | median ns/op %s | median ns/op %s | ratio | min ns/op %s | min ns/op %s | ratio | B/op, allocs/op %s | B/op, allocs/op %s |\n", mode, base, head, base, head, base, head
	print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= k; i++) {
		n = order[i]
		if (ns["base", n] == "" || ns["head", n] == "") continue
		b = median(ns["base", n]); h = median(ns["head", n])
		bm = min(ns["base", n]); hm = min(ns["head", n])
		printf "| %s | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f | %s, %s | %s, %s |\n", n, b, h, h / b, bm, hm, hm / bm,
			median(by["base", n]), median(al["base", n]), median(by["head", n]), median(al["head", n])
	}
	split(ns["base", order[1]], r, " ")
	printf "\n%d runs per commit, alternated (ratio: head/base)\n", length(r)
}' "$out"
echo "raw output: ${OUT:-${TMPDIR:-/tmp}/bench-compare-raw.txt}" >&2
