#!/usr/bin/env bash
# bench/offload.sh: what the XDP conntrack offload buys. Established TCP
# throughput (iperf3, one stream) between two namespaces through the
# stateful firewall (ct(table=1), commit on +new, +est output) on afxdp
# ports, measured in one run for:
#
#   veth          the hosts joined directly by one veth pair (the ceiling)
#   gsw-offload   govswitchd, other_config:hw-offload=true (xdp provider)
#   gsw           govswitchd, offload off
#   ovs           ovs-vswitchd 3.1 (type=afxdp)
#
#   bench/offload.sh            (as root; SECS=10 REPS=3 MODE=native|generic)
#
# The hosts' veth ends get GRO: natively attached XDP can only redirect into
# a veth whose peer takes XDP frames (without it the provider refuses and
# the connection stays in software). Results: a markdown table of medians
# on stdout and the samples in bench/results/offload-<stamp>/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SECS=${SECS:-10} REPS=${REPS:-3} MODE=${MODE:-native}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/sbin/ovs-vswitchd}
export PATH=$PATH:/usr/local/go/bin

die() { echo "offload bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (namespaces, veth, AF_XDP)"
for t in iperf3 ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl python3 ethtool; do
    command -v "$t" >/dev/null || die "needs $t"
done
(cd "$ROOT" && go build -o bin/govswitchd ./cmd/govswitchd) || die "build govswitchd failed"

OUT=$ROOT/bench/results/offload-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/gsw-offload-bench-XXXXXX)
S=$$
NS0=gswob0-$S NS1=gswob1-$S NSSW=gswobsw-$S
export OVS_RUNDIR=$TMP/run OVS_LOGDIR=$TMP/run OVS_DBDIR=$TMP/run
mkdir -p "$OVS_RUNDIR"
DB=unix:$OVS_RUNDIR/db.sock

cleanup() {
    for pf in "$OVS_RUNDIR"/ovs-vswitchd.pid "$OVS_RUNDIR"/ovsdb-server.pid; do
        [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null || true
    done
    for ns in "$NS0" "$NS1" "$NSSW"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# host NS IFACE ADDR MAC: one end of the hosts' veth, ready for AF_XDP.
host() {
    nsx "$1" ip link set "$2" address "$4"
    nsx "$1" ip addr add "$3/24" dev "$2"
    nsx "$1" ip link set "$2" up
    nsx "$1" ip link set lo up
    nsx "$1" ethtool -K "$2" tx off gro on >/dev/null
}

topo() {  # direct | switch
    for ns in "$NS0" "$NS1" "$NSSW"; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; done
    if [ "$1" = direct ]; then
        ip link add h0 netns "$NS0" type veth peer name h1 netns "$NS1"
    else
        ip link add p1 netns "$NSSW" type veth peer name h0 netns "$NS0"
        ip link add p2 netns "$NSSW" type veth peer name h1 netns "$NS1"
        nsx "$NSSW" ip link set p1 up
        nsx "$NSSW" ip link set p2 up
    fi
    host "$NS0" h0 10.9.0.1 02:00:00:09:00:01
    host "$NS1" h1 10.9.0.2 02:00:00:09:00:02
    nsx "$NS0" ip neigh replace 10.9.0.2 lladdr 02:00:00:09:00:02 dev h0 nud permanent
    nsx "$NS1" ip neigh replace 10.9.0.1 lladdr 02:00:00:09:00:01 dev h1 nud permanent
}

# switch BIN OTHER_CONFIG...: the daemon in NSSW with br0, the two afxdp
# ports and the firewall.
switch() {
    local bin=$1; shift
    rm -f "$OVS_RUNDIR"/conf.db
    ovsdb-tool create "$OVS_RUNDIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
    ovsdb-server "$OVS_RUNDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" --pidfile \
        --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" --log-file --detach --no-chdir
    ovs-vsctl --db="$DB" --no-wait init
    [ $# -gt 0 ] && ovs-vsctl --db="$DB" --no-wait set Open_vSwitch . "$@"
    nsx "$NSSW" "$bin" "$DB" --pidfile --detach --log-file --no-chdir
    ovs-vsctl --db="$DB" add-br br0 -- set bridge br0 datapath_type=netdev \
        -- add-port br0 p1 -- set interface p1 type=afxdp options:xdp-mode="$MODE" ofport_request=1 \
        -- add-port br0 p2 -- set interface p2 type=afxdp options:xdp-mode="$MODE" ofport_request=2
    ovs-ofctl del-flows br0
    ovs-ofctl add-flows br0 - <<'EOF'
table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1)
table=0,priority=10,arp,in_port=1,actions=output:2
table=0,priority=10,arp,in_port=2,actions=output:1
table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit),output:2
table=1,in_port=1,ip,ct_state=+trk+est,actions=output:2
table=1,in_port=2,ip,ct_state=+trk+est,actions=output:1
EOF
}

unswitch() {
    ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.$(cat "$OVS_RUNDIR/ovs-vswitchd.pid").ctl" exit >/dev/null 2>&1 || true
    sleep 0.5
    kill "$(cat "$OVS_RUNDIR/ovsdb-server.pid")" 2>/dev/null || true
    sleep 0.3
}

# measure NAME: REPS iperf3 runs, Gbit/s samples into $OUT/NAME.tsv.
measure() {
    nsx "$NS1" iperf3 -s -D -B 10.9.0.2 --pidfile "$TMP/iperf3.pid"
    sleep 0.3
    for r in $(seq "$REPS"); do
        nsx "$NS0" iperf3 -c 10.9.0.2 -t "$SECS" -J >"$TMP/iperf.json" || { echo "$1 run $r failed" >&2; continue; }
        python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' \
            "$TMP/iperf.json" >>"$OUT/$1.tsv"
    done
    kill "$(cat "$TMP/iperf3.pid")" 2>/dev/null || true
    sleep 0.3
}

topo direct; measure veth
topo switch; switch "$ROOT/bin/govswitchd" other_config:hw-offload=true
ovs-appctl ct-offload/xdp-show >"$OUT/gsw-offload.xdp-show.before" 2>&1 || true
measure gsw-offload
ovs-appctl ct-offload/xdp-show >"$OUT/gsw-offload.xdp-show" 2>&1 || true
unswitch
topo switch; switch "$ROOT/bin/govswitchd"; measure gsw; unswitch
if [ -x "$OVS_VSWITCHD" ]; then
    topo switch; switch "$OVS_VSWITCHD"; measure ovs; unswitch
fi

python3 - "$OUT" <<'EOF' | tee "$OUT/summary.md"
import os, statistics, sys
out = sys.argv[1]
med = {}
for n in ["veth", "gsw-offload", "gsw", "ovs"]:
    p = os.path.join(out, n + ".tsv")
    if os.path.exists(p):
        v = [float(x) for x in open(p).read().split()]
        if v:
            med[n] = statistics.median(v)
print("TCP, 1 stream, %s s x %s, xdp-mode=%s\n" % (os.environ.get("SECS"), os.environ.get("REPS"), os.environ.get("MODE")))
print("| setup | TCP Gbit/s (median) | vs veth |")
print("|---|---|---|")
for n, v in med.items():
    print("| %s | %.2f | %.2f |" % (n, v, v / med["veth"] if med.get("veth") else 0))
for a, b in [("gsw-offload", "gsw"), ("gsw-offload", "ovs"), ("gsw", "ovs")]:
    if a in med and b in med and med[b]:
        print("\n%s / %s = %.2f" % (a, b, med[a] / med[b]), end="")
print()
EOF
echo "offload bench: samples in $OUT" >&2
