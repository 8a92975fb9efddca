#!/usr/bin/env bash
# make bench: runs the shared anchor harness (../shared/bench/run.sh from the
# repository root) against ovs-vswitchd and then govswitchd in one go, and
# prints the medians side by side with the ratio govswitchd/ovs-vswitchd.
#
#   bench/run.sh [workload[:porttype]...]      default: veth flows ct ctsnat
#
# Every setting of the harness passes through (REPS, PORTS, METRICS, PIN,
# ...). PIN defaults to 1 here so both daemons get the same pinned core.
# BENCH_HARNESS overrides where the harness is; RESULTS_DIR where the results
# go (default bench/results/<stamp>/, never the shared folder).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${BENCH_HARNESS:-$ROOT/../shared/bench/run.sh}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch/ovs-vswitchd}
GO=${GO:-go}
export PATH=$PATH:/usr/local/go/bin
export PIN=${PIN:-1}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$HARNESS" ] || die "shared harness not found at $HARNESS (set BENCH_HARNESS=/path/to/bench/run.sh)"
[ "$(id -u)" = 0 ] || die "needs root (namespaces, veth, AF_XDP)"
[ -x "$OVS_VSWITCHD" ] || die "ovs-vswitchd not found at $OVS_VSWITCHD (set OVS_VSWITCHD)"
command -v python3 >/dev/null || die "needs python3"

(cd "$ROOT" && "$GO" build -o bin/govswitchd ./cmd/govswitchd) || die "build govswitchd failed"

[ $# -gt 0 ] || set -- veth flows ct ctsnat
OUT=${RESULTS_DIR:-$ROOT/bench/results}/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "bench: results in $OUT" >&2

# One harness run per daemon, same arguments; a failed run is reported and
# the comparison still shows what was measured.
status=0
for d in ovs-vswitchd govswitchd; do
    bin=$OVS_VSWITCHD
    [ "$d" = govswitchd ] && bin=$ROOT/bin/govswitchd
    echo "bench: == $d ($bin): $*" >&2
    if ! VSWITCHD=$bin RESULTS_DIR=$OUT/$d "$HARNESS" "$@" 2>&1 | tee "$OUT/$d.log"; then
        echo "bench: harness run for $d failed, see $OUT/$d.log" >&2
        status=1
    fi
done

shopt -s nullglob
ovs=("$OUT"/ovs-vswitchd/*.tsv)
gov=("$OUT"/govswitchd/*.tsv)
[ ${#ovs[@]} -gt 0 ] && [ ${#gov[@]} -gt 0 ] || die "no samples to compare in $OUT"
python3 "$ROOT/bench/compare.py" "${ovs[0]}" "${gov[0]}" | tee "$OUT/compare.md"
exit $status
