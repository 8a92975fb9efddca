#!/usr/bin/env bash
# Installs what building, testing and the demo need, if missing: the Open
# vSwitch 3.1 tools (ovsdb-server, ovs-vsctl, ovs-appctl, ovs-ofctl),
# iproute2, os-ken, the FTP and TFTP servers and curl of the ALG tests (the
# tests run private instances; the packages' own services stay stopped), and
# the Go modules. Safe to run again: it only does what is not done yet. Needs
# root to install packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(openvswitch-switch openvswitch-common iproute2 python3-os-ken ethtool iputils-ping netcat-openbsd
	vsftpd tftpd-hpa curl iperf3)
missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	if [[ $(id -u) != 0 ]]; then
		echo "install-deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	# The packages would start their own ovsdb-server and ovs-vswitchd;
	# govswitchd's tests and demo start private ones, so forbid that.
	policy=/usr/sbin/policy-rc.d
	made_policy=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made_policy=1
	fi
	trap 'if [[ -n $made_policy ]]; then rm -f "$policy"; fi' EXIT
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Stop whatever the packaged init scripts may have started anyway (found by
# the packages' own pidfiles; nothing else is touched).
for name in ovs-vswitchd ovsdb-server; do
	pidfile=/var/run/openvswitch/$name.pid
	[[ -r $pidfile ]] || continue
	pid=$(cat "$pidfile")
	if [[ $pid =~ ^[0-9]+$ ]] && [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */$name ]]; then
		echo "install-deps: stopping packaged $name (pid $pid)"
		kill "$pid" || true
	fi
done

if ! command -v go >/dev/null; then
	export PATH=$PATH:/usr/local/go/bin
fi
go mod download
