#!/usr/bin/env bash
# make bench-flowload: issue 3's flow table load. Loads the same 100,000
# flows with `ovs-ofctl add-flows` into ovs-vswitchd and into govswitchd,
# REPS times each, alternating, each run on a fresh database and daemon in
# its own network namespace, and reports the times and the ratio
# govswitchd/ovs-vswitchd (target: govswitchd under 2 s).
#
#   bench/flowload.sh            REPS=5 N=100000 by default
#   GOVSWITCHD=/path/to/govswitchd bench/flowload.sh   measure that build
#
# The flows are those of tests/manyflows_test.go (manyFlowKinds): five
# kinds, one table each, with distinct matches and varied actions. The
# generator below must stay in step with that one; the test checks the
# dump of the same set.
#
# Each repetition also loads the file into bench/ofnull, a switch that
# drops every flow and answers each barrier from a socket it polls without
# sleeping: the least time any switch can give ovs-ofctl on this machine.
#
# Results: bench/results/flowload-<UTC stamp>.md (RESULTS_DIR moves them).
# The machine is shared: the minimum over the repetitions is the figure
# to quote, the median shows the spread.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch/ovs-vswitchd}
GO=${GO:-go}
REPS=${REPS:-5}
N=${N:-100000}
export PATH=$PATH:/usr/local/go/bin

die() { echo "flowload: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x "$OVS_VSWITCHD" ] || die "ovs-vswitchd not found at $OVS_VSWITCHD (set OVS_VSWITCHD)"
for t in ovsdb-server ovsdb-tool ovs-vsctl ovs-ofctl ovs-appctl ip python3; do
    command -v $t >/dev/null || die "needs $t"
done
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

# GOVSWITCHD names another build to measure (an older commit's, say).
if [ -z "${GOVSWITCHD:-}" ]; then
    (cd "$ROOT" && "$GO" build -o bin/govswitchd ./cmd/govswitchd) || die "build govswitchd failed"
    GOVSWITCHD=$ROOT/bin/govswitchd
fi
(cd "$ROOT" && "$GO" build -o bin/ofnull ./bench/ofnull) || die "build ofnull failed"

WORK=$(mktemp -d /tmp/gsw-flowload-XXXXXX)
NS=""
cleanup() {
    stop_world
    rm -rf "$WORK"
}
trap cleanup EXIT

FLOWS=$WORK/many.flows
python3 - "$N" >"$FLOWS" <<'EOF'
import sys
n = int(sys.argv[1])
kinds = [
    lambda i: "table=0,priority=300,ip,in_port=%d,nw_src=10.%d.%d.%d,actions=output:%d"
        % (1 + i % 2, i >> 16 & 255, i >> 8 & 255, i & 255, 1 + i % 3),
    lambda i: "table=1,cookie=%#x,priority=200,tcp,nw_dst=172.16.%d.%d,tp_dst=%d,actions=mod_vlan_vid:%d,output:2"
        % (0x1000 + i, i >> 8 & 255, i & 255, 1000 + i % 50000, 1 + i % 4094),
    lambda i: "table=2,priority=100,dl_vlan=%d,dl_src=02:00:00:%02x:%02x:%02x,actions=strip_vlan,resubmit(,3)"
        % (1 + i % 4094, i >> 16 & 255, i >> 8 & 255, i & 255),
    lambda i: "table=3,priority=50,ipv6,ipv6_src=2001:db8::%x:%x,actions=dec_ttl,output:3"
        % (1 + (i >> 16), i & 0xffff),
    lambda i: "table=4,priority=%d,arp,arp_tpa=192.168.%d.%d,actions=load:%#x->NXM_NX_REG0[],resubmit(,5)"
        % (10 + i % 100, i >> 8 & 255, i & 255, i + 1),
]
out = sys.stdout
for j in range(n):
    out.write(kinds[j % 5](j // 5) + "\n")
EOF

# One world: a namespace, a fresh database and ovsdb-server, the daemon.
start_world() { # daemon-binary
    NS=gswfl-$$-$RANDOM
    RUN=$WORK/run
    rm -rf "$RUN"; mkdir -p "$RUN"
    export OVS_RUNDIR=$RUN OVS_LOGDIR=$RUN OVS_DBDIR=$RUN
    ip netns add "$NS"
    ovsdb-tool create "$RUN/conf.db" "$SCHEMA"
    ovsdb-server "$RUN/conf.db" --remote=punix:"$RUN/db.sock" --pidfile --detach --no-chdir --log-file
    ovs-vsctl --no-wait init
    ip netns exec "$NS" "$1" unix:"$RUN/db.sock" -vconsole:off --pidfile --detach --no-chdir --log-file
    ovs-vsctl --timeout=30 add-br br0 -- set bridge br0 datapath_type=netdev fail_mode=secure
}

stop_world() {
    [ -n "$NS" ] || return 0
    for p in ovs-vswitchd ovsdb-server; do
        if [ -f "$RUN/$p.pid" ]; then
            pid=$(cat "$RUN/$p.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    ip netns del "$NS" 2>/dev/null || true
    NS=""
}

# cpu_ticks is the user+system CPU time a process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# load prints the seconds add-flows took, the CPU seconds the daemon
# spent meanwhile (less sensitive to a busy machine than the wall time)
# and those ovs-ofctl spent, after checking every flow is in. ovs-ofctl
# waits for a barrier reply after every flow_mod, so the two processes
# take turns: the wall time is about the sum of their CPU times.
load() { # daemon-binary
    start_world "$1"
    local t0 t1 c0 c1 count pid ofctl
    pid=$(cat "$RUN/ovs-vswitchd.pid")
    c0=$(cpu_ticks "$pid")
    t0=$(date +%s.%N)
    { TIMEFORMAT='%U %S'; time ovs-ofctl add-flows br0 "$FLOWS" 2>&3; } 3>&2 2>"$WORK/ofctl.time"
    t1=$(date +%s.%N)
    c1=$(cpu_ticks "$pid")
    ofctl=$(awk '{print $1 + $2}' "$WORK/ofctl.time")
    count=$(ovs-ofctl dump-aggregate br0 | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
    stop_world
    [ "$count" = "$N" ] || die "$1: flow_count=$count after add-flows, want $N"
    python3 -c "print('%.3f/%.2f/%.2f' % ($t1 - $t0, ($c1 - $c0) / $(getconf CLK_TCK), $ofctl))"
}

# load_null is load for bench/ofnull, which counts the flows it was sent.
load_null() {
    local pid t0 t1 c0 c1 ofctl count
    "$ROOT/bin/ofnull" "$WORK/null.sock" >"$WORK/null.out" &
    pid=$!
    for _ in $(seq 100); do [ -S "$WORK/null.sock" ] && break; sleep 0.05; done
    c0=$(cpu_ticks "$pid")
    t0=$(date +%s.%N)
    { TIMEFORMAT='%U %S'; time ovs-ofctl add-flows unix:"$WORK/null.sock" "$FLOWS" 2>&3; } 3>&2 2>"$WORK/ofctl.time"
    t1=$(date +%s.%N)
    c1=$(cpu_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    ofctl=$(awk '{print $1 + $2}' "$WORK/ofctl.time")
    count=$(awk '$1 == "flow_mods" {n = $2} END {print n}' "$WORK/null.out")
    [ "$count" = "$N" ] || die "ofnull: got $count flow_mods, want $N"
    python3 -c "print('%.3f/%.2f/%.2f' % ($t1 - $t0, ($c1 - $c0) / $(getconf CLK_TCK), $ofctl))"
}

declare -a T_OVS T_GOV T_NULL
BG=()
for r in $(seq "$REPS"); do
    BG+=("$(cut -d' ' -f1 /proc/loadavg)")
    T_OVS+=("$(load "$OVS_VSWITCHD")")
    T_GOV+=("$(load "$GOVSWITCHD")")
    T_NULL+=("$(load_null)")
    echo "flowload: rep $r (wall/daemon CPU/ovs-ofctl CPU): ovs-vswitchd ${T_OVS[-1]} s, govswitchd ${T_GOV[-1]} s, ofnull ${T_NULL[-1]} s" >&2
done

STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$OUT"
REPORT=$OUT/flowload-$STAMP.md
python3 - "$N" "$REPS" "${T_OVS[*]}" "${T_GOV[*]}" "${T_NULL[*]}" "${BG[*]}" "$STAMP" \
    "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$GOVSWITCHD" >"$REPORT" <<'EOF'
import statistics, sys
n, reps, ovs, gov, null, bg, stamp, commit, gbin = sys.argv[1:]
def parse(runs):
    runs = [r.split("/") for r in runs.split()]
    return [[float(r[i]) for r in runs] for i in range(3)]
ovs, ovs_cpu, ovs_ctl = parse(ovs)
gov, gov_cpu, gov_ctl = parse(gov)
null, null_cpu, null_ctl = parse(null)
fmt = lambda t: " ".join("%.3f" % x for x in t)
print("# Flow table load: %s flows with ovs-ofctl add-flows (%s UTC)" % (n, stamp))
print()
print("`bench/flowload.sh` (REPS=%s), commit %s plus working tree; govswitchd: %s. Each run: fresh" % (reps, commit, gbin))
print("database and daemon in a private namespace, netdev bridge, fail_mode=secure;")
print("wall time is `ovs-ofctl add-flows br0 FILE` from start to exit (all flow_mods")
print("and the final barrier answered), checked with dump-aggregate; daemon CPU is")
print("the user+system time the daemon used meanwhile, ovs-ofctl CPU that of")
print("ovs-ofctl (it waits for a barrier reply after each flow_mod, so the two take")
print("turns and the wall time is about the sum of the two). ofnull (bench/ofnull) drops")
print("the flows and answers each barrier from a socket it polls without sleeping: its")
print("time is the least any switch can give here. The three alternate; load")
print("average (1 min) before each pair: %s." % ", ".join(bg.split()))
print()
print("| daemon | wall, runs (s) | wall min (s) | wall median (s) | daemon CPU, runs (s) | CPU min (s) | CPU median (s) | ovs-ofctl CPU, runs (s) |")
print("|---|---|---|---|---|---|---|---|")
for name, t, c, o in (("ovs-vswitchd 3.1", ovs, ovs_cpu, ovs_ctl), ("govswitchd", gov, gov_cpu, gov_ctl), ("ofnull (floor)", null, null_cpu, null_ctl)):
    print("| %s | %s | %.3f | %.3f | %s | %.2f | %.2f | %s |" % (name, fmt(t), min(t), statistics.median(t), fmt(c), min(c), statistics.median(c), fmt(o)))
print()
print("Ratio govswitchd/ovs-vswitchd, wall: %.2f (min), %.2f (median); daemon CPU: %.2f (min)." % (
    min(gov) / min(ovs), statistics.median(gov) / statistics.median(ovs), min(gov_cpu) / max(min(ovs_cpu), 0.01)))
print("govswitchd/ofnull (the floor), wall: %.2f (min)." % (min(gov) / min(null)))
print("Target, govswitchd under 2 s: %s." % ("met" if min(gov) < 2 else "NOT met"))
EOF
cat "$REPORT"
echo "flowload: report in $REPORT" >&2
