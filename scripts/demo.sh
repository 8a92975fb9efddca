#!/usr/bin/env bash
# The govswitchd demo: a private ovsdb-server and govswitchd (in its own
# network namespace) under /tmp, one bridge with two veth ports whose peers
# sit in two more namespaces, as hosts "a" and "b", and a stateful firewall
# (scripts/firewall.flows) between them: a may connect to b, b may only
# answer. Traffic both ways, then the connection table. Everything it
# creates is removed on exit, however it exits.
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
# Userspace conntrack needs real checksums: no TX checksum offload on veth.
ip netns exec "$a" ethtool -K eth0 tx off >/dev/null
ip netns exec "$b" ethtool -K eth0 tx off >/dev/null

step "bridge br0 with ports p1 and p2"
ovs-vsctl --timeout=20 add-br br0 -- set bridge br0 datapath_type=netdev
ovs-vsctl --timeout=20 add-port br0 p1 -- set interface p1 ofport_request=1
ovs-vsctl --timeout=20 add-port br0 p2 -- set interface p2 ofport_request=2

step "ovs-vsctl show"
ovs-vsctl show

step "ovs-appctl version"
ovs-appctl version

step "stateful firewall (scripts/firewall.flows)"
ovs-ofctl del-flows br0
grep -v '^#' scripts/firewall.flows | ovs-ofctl add-flows br0 -
ovs-ofctl --no-stats dump-flows br0

# try DESCRIPTION EXPECTED COMMAND...: runs COMMAND, says whether it got
# through, and fails the demo if that is not what the firewall should do.
try() {
	local what=$1 want=$2 got=blocked
	shift 2
	if "$@" >/dev/null 2>&1; then got=allowed; fi
	printf '%-44s %s\n' "$what" "$got"
	[[ $got == "$want" ]] || { echo "demo: expected $want" >&2; exit 1; }
}

step "traffic"
ip netns exec "$b" nc -l -p 8080 >/dev/null 2>&1 &
server=$!
sleep 0.3
try "ping a -> b" allowed ip netns exec "$a" ping -c 2 -i 0.2 -W 1 10.0.0.2
try "TCP a -> b:8080" allowed ip netns exec "$a" nc -z -w 2 10.0.0.2 8080
try "ping b -> a (new connection from b)" blocked ip netns exec "$b" ping -c 1 -W 1 10.0.0.1
try "TCP b -> a:22 (new connection from b)" blocked ip netns exec "$b" nc -z -w 2 10.0.0.1 22
kill "$server" 2>/dev/null || true

step "ovs-appctl dpctl/dump-conntrack"
ovs-appctl dpctl/dump-conntrack

step "ovs-ofctl dump-flows br0"
ovs-ofctl dump-flows br0

step "shutting down"
