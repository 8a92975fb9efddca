#!/usr/bin/env bash
# bench/latency.sh: ping latency and single-stream TCP (throughput and
# retransmits) between two namespaces through ovs-vswitchd and govswitchd,
# one after the other in the same run, same topology as the shared harness
# (bn0e - bn0p [br0] bn1p - bn1e) but under its own prefix so it can run
# beside it.
#
#   bench/latency.sh [porttype...]        default: afxdp-native afxdp-generic
#
# porttype: system | afxdp-native | afxdp-generic. Settings: PING_N (200),
# PING_I (0.01), TCP_T (10 s), TCP_P (1 stream), PMD_MASK (empty: each daemon's default),
# DAEMONS ("ovs-vswitchd govswitchd"), FLOWS (in_port flows, or "normal"),
# PIN=1 (traffic on CPU 0, the daemon on CPU 1 with pmd-cpu-mask=0x2, as
# the shared harness pins), SHOW=1 (print the daemon's pmd and port stats),
# OVS_EXTRA_CONFIG (e.g. "other_config:pmd-maxsleep=50").
# Prints one line per daemon and port type. Needs root, iperf3, ping.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
P=${BN_PREFIX:-h6l}
PING_N=${PING_N:-200} PING_I=${PING_I:-0.01} TCP_T=${TCP_T:-10} TCP_P=${TCP_P:-1}
PIN=${PIN:-0} FLOWS=${FLOWS:-flows}
PMD_MASK=${PMD_MASK:-}
T0=() T1=()
if [ "$PIN" = 1 ]; then T0=(taskset -c 0) T1=(taskset -c 1) PMD_MASK=${PMD_MASK:-0x2}; fi
DAEMONS=${DAEMONS:-"ovs-vswitchd govswitchd"}
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch/ovs-vswitchd}
GOV=${GOV:-$ROOT/bin/govswitchd}
RUN=$(mktemp -d /tmp/$P.XXXXXX)
NS0=${P}0 NS1=${P}1 NSSW=${P}sw
[ $# -gt 0 ] || set -- afxdp-native afxdp-generic

cleanup() {
    if [ -f "$RUN/ovs/ovs-vswitchd.pid" ]; then kill "$(cat "$RUN/ovs/ovs-vswitchd.pid")" 2>/dev/null || true; fi
    if [ -f "$RUN/ovs/ovsdb-server.pid" ]; then kill "$(cat "$RUN/ovs/ovsdb-server.pid")" 2>/dev/null || true; fi
    sleep 0.5
    for ns in "$NS0" "$NS1" "$NSSW"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$RUN"
}
trap cleanup EXIT

topo() {
    for ns in "$NS0" "$NS1" "$NSSW"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
    ip link add "${P}0e" netns "$NS0" type veth peer name "${P}0p" netns "$NSSW"
    ip link add "${P}1e" netns "$NS1" type veth peer name "${P}1p" netns "$NSSW"
    ip -n "$NS0" link set "${P}0e" address 02:b6:00:00:00:01
    ip -n "$NS1" link set "${P}1e" address 02:b6:00:00:00:02
    ip -n "$NS0" addr add 198.18.6.1/24 dev "${P}0e"
    ip -n "$NS1" addr add 198.18.6.2/24 dev "${P}1e"
    for i in 0 1; do
        ip netns exec "${P}$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip -n "${P}$i" link set "${P}${i}e" up
        ip netns exec "${P}$i" ethtool -K "${P}${i}e" tx off >/dev/null
        ip -n "$NSSW" link set "${P}${i}p" up
    done
    ip -n "$NS0" neigh replace 198.18.6.2 lladdr 02:b6:00:00:00:02 dev "${P}0e" nud permanent
    ip -n "$NS1" neigh replace 198.18.6.1 lladdr 02:b6:00:00:00:01 dev "${P}1e" nud permanent
}

one() {  # daemon binary, port type
    local bin=$1 pt=$2 opts=""
    case $pt in
        system) ;;
        afxdp-native) opts="type=afxdp options:xdp-mode=native" ;;
        afxdp-generic) opts="type=afxdp options:xdp-mode=generic" ;;
        *) echo "unknown port type $pt" >&2; return 1 ;;
    esac
    export OVS_RUNDIR=$RUN/ovs OVS_LOGDIR=$RUN/ovs OVS_DBDIR=$RUN/ovs
    rm -rf "$RUN/ovs"; mkdir -p "$RUN/ovs"
    ovsdb-tool create "$RUN/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema
    ovsdb-server "$RUN/ovs/conf.db" --remote="punix:$RUN/ovs/db.sock" --pidfile --detach --no-chdir \
        --log-file="$RUN/ovs/ovsdb-server.log" --unixctl="$RUN/ovs/ovsdb-server.ctl"
    local vs=(ovs-vsctl --db="unix:$RUN/ovs/db.sock" --timeout=30)
    "${vs[@]}" --no-wait init
    [ -z "$PMD_MASK" ] || "${vs[@]}" --no-wait set Open_vSwitch . other_config:pmd-cpu-mask="$PMD_MASK"
    # shellcheck disable=SC2086
    [ -z "${OVS_EXTRA_CONFIG:-}" ] || "${vs[@]}" --no-wait set Open_vSwitch . $OVS_EXTRA_CONFIG
    ip netns exec "$NSSW" "${T1[@]}" "$bin" "unix:$RUN/ovs/db.sock" --pidfile --detach --no-chdir \
        --log-file="$RUN/ovs/ovs-vswitchd.log" -vconsole:off
    "${vs[@]}" add-br br0 -- set bridge br0 datapath_type=netdev
    # shellcheck disable=SC2086
    "${vs[@]}" add-port br0 "${P}0p" -- set interface "${P}0p" ofport_request=1 $opts
    # shellcheck disable=SC2086
    "${vs[@]}" add-port br0 "${P}1p" -- set interface "${P}1p" ofport_request=2 $opts
    ovs-ofctl del-flows br0
    if [ "$FLOWS" = normal ]; then
        ovs-ofctl add-flow br0 actions=normal
    else
        ovs-ofctl add-flow br0 in_port=1,actions=output:2
        ovs-ofctl add-flow br0 in_port=2,actions=output:1
    fi
    ip netns exec "$NS1" "${T0[@]}" iperf3 -s -D -1 -B 198.18.6.2 >/dev/null
    ip netns exec "$NS0" ping -q -c 20 -i 0.01 198.18.6.2 >/dev/null || true
    local lat tcp
    lat=$(ip netns exec "$NS0" "${T0[@]}" ping -c "$PING_N" -i "$PING_I" 198.18.6.2 | python3 -c '
import re,sys
rtt=sorted(float(m.group(1))*1000 for m in re.finditer(r"time=([0-9.]+) ms", sys.stdin.read()))
n=len(rtt)
if n: print("n=%d avg_us=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f" % (n, sum(rtt)/n, rtt[n//2], rtt[min(n-1, n*99//100)], rtt[-1]))
else: print("n=0")')
    tcp=$(ip netns exec "$NS0" "${T0[@]}" iperf3 -c 198.18.6.2 -t "$TCP_T" -P "$TCP_P" -J | python3 -c '
import json,sys
j=json.load(sys.stdin)["end"]
print("gbps=%.2f retrans=%d" % (j["sum_received"]["bits_per_second"]/1e9, j["sum_sent"].get("retransmits",0)))')
    printf '%-13s %-13s %s %s\n' "$(basename "$bin")" "$pt" "$lat" "$tcp"
    if [ -n "${SHOW:-}" ]; then
        ovs-appctl dpif-netdev/pmd-rxq-show; ovs-appctl dpif-netdev/pmd-stats-show
        ovs-appctl dpctl/show -s; ovs-ofctl dump-ports br0
        ip netns exec "$NS0" nstat -a | grep -E "Retrans|Reorder|SACK|Lost|Timeout|DSACK" || true
    fi
    ovs-appctl -t "$RUN/ovs/ovs-vswitchd.$(cat "$RUN/ovs/ovs-vswitchd.pid").ctl" exit >/dev/null 2>&1 || true
    sleep 1
    kill "$(cat "$RUN/ovs/ovsdb-server.pid")" 2>/dev/null || true
    sleep 0.5
}

topo
for pt in "$@"; do
    for d in $DAEMONS; do
        bin=$OVS_VSWITCHD
        [ "$d" = govswitchd ] && bin=$GOV
        one "$bin" "$pt"
    done
done
