#!/usr/bin/env bash
# The govswitchd demo: a private ovsdb-server and govswitchd (in its own
# network namespace) under /tmp, one bridge with two veth ports whose peers
# sit in two more namespaces, as hosts "a" and "b". Everything it creates is
# removed on exit, however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
export PATH=$PATH:/usr/local/go/bin
go build -o bin/govswitchd ./cmd/govswitchd
bin=$PWD/bin/govswitchd

run=$(mktemp -d /tmp/govswitchd-demo.XXXXXX)
export OVS_RUNDIR=$run OVS_LOGDIR=$run OVS_DBDIR=$run
sw=gswdemo-sw-$$ a=gswdemo-a-$$ b=gswdemo-b-$$

cleanup() {
	set +e
	if [[ -e $run/ovs-vswitchd.pid ]]; then
		local pid
		pid=$(cat "$run/ovs-vswitchd.pid")
		ovs-appctl --timeout=10 exit --cleanup
		# The reply comes first; wait until the daemon has really gone.
		for _ in $(seq 100); do
			[[ -d /proc/$pid ]] || break
			sleep 0.1
		done
	fi
	if [[ -e $run/ovsdb-server.pid ]]; then
		ovs-appctl --timeout=10 -t ovsdb-server exit
	fi
	for ns in "$sw" "$a" "$b"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$run"
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

step "database in $run"
ovsdb-tool create "$run/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$run/conf.db" --remote="punix:$run/db.sock" --pidfile --detach --no-chdir --log-file
ovs-vsctl --no-wait init

step "govswitchd in namespace $sw"
for ns in "$sw" "$a" "$b"; do ip netns add "$ns"; done
ip netns exec "$sw" "$bin" --detach --pidfile --log-file --no-chdir

step "hosts a (10.0.0.1) and b (10.0.0.2) on veth pairs"
ip link add p1 netns "$sw" type veth peer name eth0 netns "$a"
ip link add p2 netns "$sw" type veth peer name eth0 netns "$b"
ip -n "$sw" link set p1 up
ip -n "$sw" link set p2 up
ip -n "$a" addr add 10.0.0.1/24 dev eth0
ip -n "$a" link set eth0 up
ip -n "$b" addr add 10.0.0.2/24 dev eth0
ip -n "$b" link set eth0 up

step "bridge br0 with ports p1 and p2"
ovs-vsctl --timeout=20 add-br br0 -- set bridge br0 datapath_type=netdev
ovs-vsctl --timeout=20 add-port br0 p1
ovs-vsctl --timeout=20 add-port br0 p2

step "ovs-vsctl show"
ovs-vsctl show

step "ovs-appctl version"
ovs-appctl version

step "shutting down"
