#!/bin/sh
# Soak test (issue 8): TCP, UDP, FTP and new connections through a
# conntrack firewall with NAT while flows change and ports flap, then
# checks that nothing leaked and that the switch's counters add up.
# Not part of `make test`. Needs root and the test prerequisites
# (scripts/install-deps.sh), plus iperf3, vsftpd, tftpd-hpa and curl.
#
#   bench/soak.sh            # 10 minutes
#   SOAK=2m bench/soak.sh    # any Go duration
set -eu
cd "$(dirname "$0")/.."
SOAK=${SOAK:-10m}
mkdir -p bench/results
out=bench/results/soak-$(date -u +%Y%m%d-%H%M%S).txt
echo "soak for $SOAK; log in $out"
go test ./tests -run '^TestSoak$' -count=1 -v -timeout 0 -soak="$SOAK" 2>&1 | tee "$out" |
	grep -E '^(=== RUN|--- |PASS|FAIL|ok)|soak of|counters:|failure:|leaked|grew' || true
grep -q '^--- PASS: TestSoak' "$out"
