#!/usr/bin/env bash
# bench/conntrack.sh: connection setup rate through the conntrack firewall
# (the shared harness's `ct` and `ctsnat` workloads, metric conn_cps) for
# ovs-vswitchd, govswitchd and optionally an older govswitchd build, in
# alternating rounds so that the shared machine's load drifts hit every
# daemon alike. Run as root from anywhere:
#
#   bench/conntrack.sh                     # ROUNDS=3, PORTS="system afxdp-native"
#   BEFORE=/tmp/govswitchd-old bench/conntrack.sh ctsnat:afxdp-native
#
# Each round runs the harness once per daemon with REPS=1 (the harness's
# quiet gate still applies to every sample). At the end, per daemon, all
# samples are merged and compared with bench/compare.py; the PMD statistics
# (processing cycles per packet, upcalls) of each daemon's last round are
# kept beside the samples. Results: bench/results/conntrack-<stamp>/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${BENCH_HARNESS:-$ROOT/../shared/bench/run.sh}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch/ovs-vswitchd}
ROUNDS=${ROUNDS:-3}
export PATH=$PATH:/usr/local/go/bin
export PIN=${PIN:-1} PORTS=${PORTS:-system afxdp-native} METRICS=${METRICS:-conn} REPS=1

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$HARNESS" ] || die "shared harness not found at $HARNESS"
[ "$(id -u)" = 0 ] || die "needs root (namespaces, veth, AF_XDP)"
[ -x "$OVS_VSWITCHD" ] || die "ovs-vswitchd not found at $OVS_VSWITCHD"
(cd "$ROOT" && go build -o bin/govswitchd ./cmd/govswitchd) || die "build govswitchd failed"
[ $# -gt 0 ] || set -- ct ctsnat

OUT=${RESULTS_DIR:-$ROOT/bench/results}/conntrack-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "bench: results in $OUT" >&2

daemons=(ovs-vswitchd govswitchd)
declare -A bin=([ovs-vswitchd]=$OVS_VSWITCHD [govswitchd]=$ROOT/bin/govswitchd)
if [ -n "${BEFORE:-}" ]; then
    [ -x "$BEFORE" ] || die "BEFORE=$BEFORE is not executable"
    daemons+=(govswitchd-before)
    bin[govswitchd-before]=$BEFORE
fi

for r in $(seq 1 "$ROUNDS"); do
    for d in "${daemons[@]}"; do
        echo "bench: == round $r/$ROUNDS: $d: $*" >&2
        run=$OUT/run.$d
        rm -rf "$run"
        VSWITCHD=${bin[$d]} KEEP_RUN=1 BENCH_RUNDIR=$run RESULTS_DIR=$OUT/$d \
            "$HARNESS" "$@" >>"$OUT/$d.log" 2>&1 || echo "bench: $d round $r failed (see $OUT/$d.log)" >&2
        for f in "$run"/pmd-stats.*; do
            [ -e "$f" ] && cp "$f" "$OUT/$d.$(basename "$f")"
        done
        rm -rf "$run"
    done
done

shopt -s nullglob
for d in "${daemons[@]}"; do
    cat "$OUT/$d"/*.tsv >"$OUT/$d.tsv" 2>/dev/null || true
done
[ -s "$OUT/ovs-vswitchd.tsv" ] && [ -s "$OUT/govswitchd.tsv" ] || die "no samples to compare in $OUT"
{
    echo "## ovs-vswitchd vs govswitchd"
    python3 "$ROOT/bench/compare.py" "$OUT/ovs-vswitchd.tsv" "$OUT/govswitchd.tsv"
    if [ -s "$OUT/govswitchd-before.tsv" ]; then
        echo
        echo "## ovs-vswitchd vs govswitchd-before ($BEFORE)"
        python3 "$ROOT/bench/compare.py" "$OUT/ovs-vswitchd.tsv" "$OUT/govswitchd-before.tsv"
    fi
    echo
    echo "## samples (conn/s, harness quiet-gate background in %)"
    for d in "${daemons[@]}"; do
        grep -h 'conn_cps#' "$OUT/$d.log" | sed "s/^/$d: /"
    done
} | tee "$OUT/compare.md"
