#!/usr/bin/env bash
# bench/offload.sh: what the XDP conntrack offload buys. Established TCP
# throughput (iperf3, one stream) and the rate of 64-byte UDP frames (one
# flow, the shared harness's udpgen sender and udpsink counter, see
# /work/shared/bench) between two namespaces through the stateful firewall
# (ct(table=1), commit on +new, +est output) on afxdp ports, measured in
# one run for:
#
#   veth          the hosts joined directly by one veth pair (the ceiling)
#   gsw-offload   govswitchd, other_config:hw-offload=true (xdp provider)
#   gsw           govswitchd, offload off
#   ovs           ovs-vswitchd 3.1 (type=afxdp)
#
#   bench/offload.sh            (as root; SECS=10 USECS=10 REPS=3 MODE=native|generic)
#
# The UDP flow gets a reply datagram every 200 ms from the sink's side: the
# provider offloads a connection once its reply direction was seen, and
# the reply direction's megaflows must stay cached (all setups get the same
# trickle). The rate is what the sink's interface counted per second of
# sending (udpsink drops the frames at tc ingress after counting).
#
# The hosts' veth ends get GRO: natively attached XDP can only redirect into
# a veth whose peer takes XDP frames (without it the provider refuses and
# the connection stays in software). Results: a markdown table of medians
# on stdout and the samples in bench/results/offload-<stamp>/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SECS=${SECS:-10} USECS=${USECS:-10} REPS=${REPS:-3} MODE=${MODE:-native}
SHARED=${SHARED:-/work/shared/bench}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/sbin/ovs-vswitchd}
export PATH=$PATH:/usr/local/go/bin

die() { echo "offload bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (namespaces, veth, AF_XDP)"
for t in iperf3 ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl python3 ethtool gcc clang tc; do
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

# The shared harness's 64-byte UDP sender and sink counter, built as its
# lib/common.sh build_tools does.
mkdir -p "$TMP/bin"
gcc -O2 -Wall -o "$TMP/bin/udpgen" "$SHARED/tools/udpgen.c" || die "build udpgen"
clang -O2 -target bpf -I/usr/include/"$(gcc -print-multiarch)" -c "$SHARED/tools/udpsink.bpf.c" \
    -o "$TMP/bin/udpsink.bpf.o" || die "build udpsink.bpf.o (needs clang, libbpf-dev)"

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
    for ns in "$NS0" "$NS1" "$NSSW"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        ip netns add "$ns"
    done
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
    # The sink drops the UDP flood (port 9) at tc ingress, after counting.
    nsx "$NS1" tc qdisc add dev h1 clsact
    nsx "$NS1" tc filter add dev h1 ingress bpf direct-action obj "$TMP/bin/udpsink.bpf.o" sec tc \
        || die "attach udpsink"
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

# measure_udp NAME: REPS udpgen runs of USECS s (one flow 10.9.0.1:10000 ->
# 10.9.0.2:9, 64-byte frames), Mpps the sink counted into $OUT/NAME.udp.tsv.
# A warm-up second at 1 kpps commits the flow and lets the reply trickle
# establish it (and, with offload, put it in the kernel).
measure_udp() {
    # ip netns exec (not nsx, a function: its subshell would be $!)
    # becomes python, so that kill reaches it.
    ip netns exec "$NS0" python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.9.0.1", 10000))
while True: s.recv(2048)' &
    local swallow=$!
    ip netns exec "$NS1" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.9.0.2", 9))
while True:
    s.sendto(b"r", ("10.9.0.1", 10000)); time.sleep(0.2)' &
    local trickle=$!
    local gen=("$TMP/bin/udpgen" -i h0 -s 02:00:00:09:00:01 -d 02:00:00:09:00:02 -S 10.9.0.1 -D 10.9.0.2 -l 18)
    nsx "$NS0" "${gen[@]}" -t 1 -r 1000 >/dev/null
    sleep 1
    local r out r0 r1 secs
    for r in $(seq "$REPS"); do
        r0=$(nsx "$NS1" cat /sys/class/net/h1/statistics/rx_packets)
        out=$(nsx "$NS0" "${gen[@]}" -t "$USECS" 2>&1) || { echo "$1 udp run $r failed: $out" >&2; continue; }
        sleep 0.5 # let the queues drain into the sink
        r1=$(nsx "$NS1" cat /sys/class/net/h1/statistics/rx_packets)
        secs=$(sed -n 's/.*secs=\([0-9.]*\).*/\1/p' <<<"$out")
        echo "$out" >>"$OUT/$1.udpgen.log"
        awk -v a="$r0" -v b="$r1" -v s="$secs" 'BEGIN{printf "%.3f\n", (b-a)/s/1e6}' >>"$OUT/$1.udp.tsv"
        sed -n 's/.*pps=\([0-9.]*\).*/\1/p' <<<"$out" | awk '{printf "%.3f\n", $1/1e6}' >>"$OUT/$1.udp-offered.tsv"
    done
    kill "$swallow" "$trickle" 2>/dev/null || true
    wait "$swallow" "$trickle" 2>/dev/null || true
}

# pmd_received: what the poll threads received so far.
pmd_received() {
    ovs-appctl dpif-netdev/pmd-stats-show 2>/dev/null | awk '/packets received:/ {n += $3} END {print n + 0}'
}

topo direct; measure veth; measure_udp veth
topo switch; switch "$ROOT/bin/govswitchd" other_config:hw-offload=true
ovs-appctl ct-offload/xdp-show >"$OUT/gsw-offload.xdp-show.before" 2>&1 || true
measure gsw-offload
ovs-appctl ct-offload/xdp-show >"$OUT/gsw-offload.xdp-show.tcp" 2>&1 || true
rx0=$(pmd_received)
measure_udp gsw-offload
echo "$(( $(pmd_received) - rx0 )) packets reached the poll threads during the UDP runs" >"$OUT/gsw-offload.udp-pmd"
ovs-appctl ct-offload/xdp-show >"$OUT/gsw-offload.xdp-show" 2>&1 || true
unswitch
topo switch; switch "$ROOT/bin/govswitchd"; measure gsw; measure_udp gsw; unswitch
if [ -x "$OVS_VSWITCHD" ]; then
    topo switch; switch "$OVS_VSWITCHD"; measure ovs; measure_udp ovs; unswitch
fi

uptime >"$OUT/uptime"
python3 - "$OUT" <<'EOF' | tee "$OUT/summary.md"
import os, statistics, sys
out = sys.argv[1]
setups = ["veth", "gsw-offload", "gsw", "ovs"]

def medians(suffix):
    med = {}
    for n in setups:
        p = os.path.join(out, n + suffix)
        if os.path.exists(p):
            v = [float(x) for x in open(p).read().split()]
            if v:
                med[n] = (statistics.median(v), min(v), max(v))
    return med

def table(title, unit, med):
    print(title + "\n")
    print("| setup | %s median | min | max | vs veth |" % unit)
    print("|---|---|---|---|---|")
    for n, (v, lo, hi) in med.items():
        print("| %s | %.2f | %.2f | %.2f | %.2f |" % (n, v, lo, hi, v / med["veth"][0] if med.get("veth") else 0))
    print()
    for a, b in [("gsw-offload", "gsw"), ("gsw-offload", "ovs"), ("gsw", "ovs")]:
        if a in med and b in med and med[b][0]:
            print("%s / %s = %.2f  " % (a, b, med[a][0] / med[b][0]))
    print()

env = os.environ
table("TCP, 1 stream, %s s x %s, xdp-mode=%s" % (env.get("SECS"), env.get("REPS"), env.get("MODE")),
      "Gbit/s", medians(".tsv"))
table("UDP, 64-byte frames, 1 flow, %s s x %s, xdp-mode=%s: received by the sink" % (env.get("USECS"), env.get("REPS"), env.get("MODE")),
      "Mpps", medians(".udp.tsv"))
table("UDP: offered by udpgen (what its sendmmsg got through; the forwarding in the sender's softirq slows it)",
      "Mpps", medians(".udp-offered.tsv"))
for f in ["gsw-offload.udp-pmd", "uptime"]:
    p = os.path.join(out, f)
    if os.path.exists(p):
        print("%s: %s  " % (f, open(p).read().strip()))
EOF
echo "offload bench: samples in $OUT" >&2
