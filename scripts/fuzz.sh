#!/usr/bin/env bash
# Runs every Go fuzz target of the module for FUZZTIME each (default
# 50000x, 50,000 inputs, about two seconds a target here): "make test" runs it
# briefly so that a decoder that panics on new input fails the build; run it
# longer by hand, e.g. FUZZTIME=5m scripts/fuzz.sh. The default is a count
# because with a duration Go 1.26's fuzz coordinator can fail a target with
# its own "context deadline exceeded" when the time is up (golang/go#75804).
# Inputs that fail are written under the package's testdata/fuzz/ by go test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-50000x}
status=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz: $pkg $name ($fuzztime)"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/fuzz.$$.log 2>&1; then
		cat /tmp/fuzz.$$.log
		status=1
	fi
done < <(grep -rHoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' . |
	sed -E 's#^\./##; s#:func #:#' | sort)
rm -f /tmp/fuzz.$$.log
exit $status
