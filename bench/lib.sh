# shellcheck shell=bash
# bench/lib.sh: what the bench scripts share. Sourced, never run.
#
# Every script works alone (`bench/pull`) or under bench/run, which builds
# benchtool once, starts one registry for all and exports where they are.
# Whatever a script starts (engines, registry, runc containers, temp dirs) it
# registers here, and its EXIT trap removes it, also on failure or Ctrl-C.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
OUT=${BENCH_OUT:-$BENCH_DIR/out}
BERTH=$REPO/bin/berth
CTR=$REPO/libexec/berth/ctr
RUNC=$REPO/libexec/berth/runc
TOOL=$OUT/bin/benchtool

# Rounds of the pull, which takes seconds a round. berth and ctr make the
# same transfer call, so the ratio sits at parity, and one round varies by
# ±10 %: 15 rounds pin the median ratio to a few per cent.
ROUNDS=${ROUNDS:-15}
QUICK_ROUNDS=${QUICK_ROUNDS:-20}
LARGE_MB=${LARGE_MB:-300}
LARGE_FILES=${LARGE_FILES:-2000}
SMALL_IMAGES=${SMALL_IMAGES:-20}
# The container benchmarks (issue 3): rounds of run --rm, run -d/rm -f
# cycles, detached containers measured for memory, start/stop cycles of the
# engine growth check.
RUN_ROUNDS=${RUN_ROUNDS:-30}
DETACHED_CYCLES=${DETACHED_CYCLES:-20}
MEM_CONTAINERS=${MEM_CONTAINERS:-10}
GROWTH_CYCLES=${GROWTH_CYCLES:-100}
# The image every container benchmark runs: busybox from the host's
# busybox-static, as the integration tests build it, loaded (not pulled).
BUSYBOX_IMG=berth.local/busybox:bench

# The engines must see only what the bench gives them, not the caller's
# engine address, namespace or config.
for _v in $(compgen -e); do
	case $_v in BERTH_* | CONTAINERD_* | DOCKER_CONFIG) unset "$_v" ;; esac
done
unset _v

ENGINES=()
CLEANUP_HOOKS=()
OWN_WORK=
REG_PID=

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() {
	log "FAILED: $*"
	exit 1
}

# bench_init NAME: checks, benchtool, the work dir and the trap.
bench_init() {
	BENCH_NAME=$1
	[ "$(id -u)" = 0 ] || die "the benchmarks run engines and containers: run them as root"
	for b in "$BERTH" "$CTR" "$RUNC"; do
		[ -x "$b" ] || die "$b is missing: run 'make all' first"
	done
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$OUT"
	if [ -z "${BENCH_TOOL_BUILT:-}" ]; then
		(cd "$REPO" && go build -o "$OUT/bin/" ./bench/cmd/benchtool) || die "building benchtool"
	fi
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ -z "${WORK:-}" ]; then
		# /var/tmp rather than /tmp: the engines' data belongs on a disk, and
		# /tmp is a tmpfs on some systems.
		WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/berth-bench.XXXXXX")
		OWN_WORK=1
	fi
	: >"$OUT/$BENCH_NAME.log"
	rm -f "$OUT/$BENCH_NAME".{rows,md} "$OUT/$BENCH_NAME".*.txt
}

bench_cleanup() {
	local rc=$?
	set +e
	trap - INT TERM
	if ((${#ENGINES[@]})); then
		BERTH_BIN=$BERTH "$TOOL" cleanup "${ENGINES[@]}" || log "cleaning up the engines failed"
	fi
	local h
	for h in "${CLEANUP_HOOKS[@]}"; do eval "$h"; done
	registry_stop
	if [ -n "$OWN_WORK" ]; then
		# Anything still mounted below WORK would have rm walk into it.
		local m
		grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m"; done
		rm -rf "$WORK"
	fi
	return $rc
}

# engine_new NAME prints the dir of a new engine, laid out as pkg/testutil's.
# The first berth command run in it starts the engine.
engine_new() {
	local dir=$WORK/$1
	mkdir -p "$dir/docker-config"
	: >"$dir/berth.toml"
	printf '%s\n' "$dir"
}

# engine_track DIR: the engine in DIR is stopped and removed at exit.
engine_track() { ENGINES+=("$1"); }

# in_engine DIR CMD...: runs CMD with a berth CLI environment pointing at the
# engine in DIR and nowhere else.
in_engine() {
	local dir=$1
	shift
	(
		export BERTH_DATA_ROOT=$dir/data BERTH_RUN_DIR=$dir/run BERTH_TOML=$dir/berth.toml \
			DOCKER_CONFIG=$dir/docker-config BERTH_BIN=$BERTH
		"$@"
	)
}

sock() { printf '%s\n' "$1/run/containerd.sock"; }

# timed FILE CMD...: runs CMD (stdin from /dev/null) and appends "SECONDS
# PEAK_RSS_KIB" to FILE; fails when CMD fails.
timed() {
	local file=$1
	shift
	"$TOOL" exec -o "$file" -- "$@" </dev/null
}

# busybox_load DIR NS: loads BUSYBOX_IMG into namespace NS of the engine in
# DIR. The image archive is built once per WORK (bench/run shares it).
busybox_load() {
	if [ ! -s "$WORK/busybox.tar" ]; then
		(cd "$REPO" && go run ./test/cmd/mkbusybox -o "$WORK/busybox.tar.tmp" -t "$BUSYBOX_IMG") ||
			die "mkbusybox failed"
		mv "$WORK/busybox.tar.tmp" "$WORK/busybox.tar"
	fi
	in_engine "$1" "$BERTH" -n "$2" load -q -i "$WORK/busybox.tar" >>"$OUT/$BENCH_NAME.log" 2>&1 ||
		die "berth load failed (see $OUT/$BENCH_NAME.log)"
}

# ns_cgroups_cleanup NS: at exit, ends whatever still runs in the cgroups of
# namespace NS (/NS/ID, where the engine and the runc bundles put containers)
# and removes them. The engines' clean-up kills their shims, but a shim's
# container outlives it (it is reparented to PID 1): a bench that failed with
# containers running would leave them behind. NS is the bench's own.
ns_cgroups_cleanup() {
	CLEANUP_HOOKS+=("ns_cgroups_remove $(printf '%q' "$1")")
}

ns_cgroups_remove() {
	local ns=$1 d pid i busy
	[ -n "$ns" ] || return 0
	for ((i = 0; i < 50; i++)); do
		busy=0
		for d in /sys/fs/cgroup/*/"$ns"/*/ /sys/fs/cgroup/"$ns"/*/; do
			[ -f "$d/cgroup.procs" ] || continue
			while read -r pid; do
				kill -KILL "$pid" 2>/dev/null && busy=1
			done <"$d/cgroup.procs"
		done
		((busy)) || break
		sleep 0.1
	done
	for d in /sys/fs/cgroup/*/"$ns"/*/ /sys/fs/cgroup/"$ns"/*/; do
		[ -f "$d/cgroup.procs" ] && rmdir "$d" 2>/dev/null
	done
	for d in /sys/fs/cgroup/*/"$ns"/ /sys/fs/cgroup/"$ns"/; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

# registry_need large|small: makes sure REG_HOST serves what the caller needs,
# starting a registry of this script's own when bench/run did not.
registry_need() {
	case $1 in
	large) [ "${REG_LARGE:-}" != "" ] && [ "${REG_LARGE:-}" != "-" ] && return 0 ;;
	small) [ "${REG_SMALL:-0}" -ge "$SMALL_IMAGES" ] && return 0 ;;
	esac
	if [ "$1" = large ]; then
		registry_start -mb "$LARGE_MB" -files "$LARGE_FILES" -small 0
	else
		registry_start -mb 0 -small "$SMALL_IMAGES"
	fi
}

# registry_start FLAGS...: starts benchtool's registry with FLAGS and sets
# REG_HOST, REG_LARGE and REG_SMALL. The registry also exits when this shell
# dies (benchtool asks for a parent-death signal).
registry_start() {
	local small=0 args=("$@") i
	for ((i = 0; i < ${#args[@]}; i++)); do
		[ "${args[i]}" = -small ] && small=${args[i + 1]}
	done
	"$TOOL" registry "$@" </dev/null >"$WORK/registry.out" 2>"$WORK/registry.err" &
	REG_PID=$!
	log "registry: pushing images ($*)"
	local waited=0
	until [ -s "$WORK/registry.out" ]; do
		kill -0 "$REG_PID" 2>/dev/null || die "the registry exited: $(cat "$WORK/registry.err")"
		((waited++ < 3000)) || die "the registry did not come up within 300 s"
		sleep 0.1
	done
	read -r REG_HOST REG_LARGE REG_PUSH_S <"$WORK/registry.out"
	REG_SMALL=$small
	log "registry: $REG_HOST ready, images pushed in ${REG_PUSH_S}s"
}

registry_stop() {
	[ -n "$REG_PID" ] || return 0
	kill "$REG_PID" 2>/dev/null
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$REG_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$REG_PID" 2>/dev/null
	wait "$REG_PID" 2>/dev/null
	REG_PID=
	return 0
}

# stat_median FILE [COL]: the median of column COL (default 1).
stat_median() {
	sort -g -k"${2:-1},${2:-1}" "$1" | awk -v c="${2:-1}" '{v[NR]=$c} END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2] + v[NR/2+1]) / 2 }'
}

# stat_p95 FILE [COL]: the 95th percentile of column COL, nearest rank (of 30
# rounds, the 29th smallest).
stat_p95() {
	sort -g -k"${2:-1},${2:-1}" "$1" | awk -v c="${2:-1}" '{v[NR]=$c} END {
		if (NR == 0) { print "nan"; exit }
		i = int(0.95 * NR); if (i < 0.95 * NR) i++; print v[i] }'
}

# stat_sum FILE [COL]: the sum of column COL.
stat_sum() { awk -v c="${2:-1}" '{s += $c} END {printf "%.6f\n", s}' "$1"; }

# stat_minmax FILE [COL]: "min-max" of column COL.
stat_minmax() {
	awk -v c="${2:-1}" 'NR == 1 {lo = hi = $c} {if ($c < lo) lo = $c; if ($c > hi) hi = $c}
		END {printf "%s %s\n", lo, hi}' "$1"
}

# ratio A B prints A/B rounded for the tables; ratio_raw keeps the precision
# that verdicts are taken on, so a rounded 1.00 cannot hide a 1.004.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "nan"; else printf "%.2f\n", a / b}'; }
ratio_raw() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "nan"; else printf "%.6f\n", a / b}'; }

# fmt_s and fmt_ms print seconds as "1.23 s" and "45.6 ms"; fmt_mb prints KiB
# as decimal megabytes (10^6 bytes), the unit of the targets.
fmt_s() { awk -v v="$1" 'BEGIN {printf "%.2f s\n", v}'; }
fmt_ms() { awk -v v="$1" 'BEGIN {printf "%.1f ms\n", v * 1000}'; }
fmt_mb() { awk -v v="$1" 'BEGIN {printf "%.1f MB\n", v * 1024 / 1e6}'; }
# fmt_mib prints KiB as MiB, the unit of issue 3's memory targets.
fmt_mib() { awk -v v="$1" 'BEGIN {printf "%.1f MiB\n", v / 1024}'; }
# kib_mib prints KiB as a bare MiB figure for verdicts.
kib_mib() { awk -v v="$1" 'BEGIN {printf "%.3f\n", v / 1024}'; }

# verdict VALUE OP LIMIT: "ok" or "MISSED".
verdict() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "<" ? v < l : op == "<=" ? v <= l : 0); print (ok ? "ok" : "MISSED") }'
}

# md_row CELLS...: one markdown table row.
md_row() {
	local s="|" c
	for c in "$@"; do s+=" $c |"; done
	printf '%s\n' "$s"
}

# row CELLS...: appends one row to this benchmark's part of the summary.
row() { md_row "$@" >>"$OUT/$BENCH_NAME.rows"; }

# detail TEXT...: appends to this benchmark's detail section.
detail() { printf '%s\n' "$@" >>"$OUT/$BENCH_NAME.md"; }

# rounds_table NAME FILE [NAME FILE...]: the raw per-round seconds as a
# markdown table, one column per tool.
rounds_table() {
	local names=() files=() n i f
	while (($#)); do
		names+=("$1") files+=("$2")
		shift 2
	done
	detail "" "$(md_row round "${names[@]}")" "$(md_row --- "${names[@]/*/---}")"
	n=$(wc -l <"${files[0]}")
	for ((i = 1; i <= n; i++)); do
		local cells=()
		for f in "${files[@]}"; do cells+=("$(sed -n "${i}p" "$f" | awk '{printf "%.3f", $1}')"); done
		detail "$(md_row "$i" "${cells[@]}")"
	done
}

# finish: prints this benchmark's section, unless bench/run prints the lot.
finish() {
	[ -z "${BENCH_UNDER_RUN:-}" ] || return 0
	printf '\n'
	cat "$OUT/$BENCH_NAME.md"
	printf '\n'
	cat "$OUT/$BENCH_NAME.rows"
}
