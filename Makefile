# govswitchd: see README.md. "make demo" shows it working, "make test" runs
# every test (as root; it installs missing prerequisites first).

GO ?= go
export PATH := $(PATH):/usr/local/go/bin

# Whole-suite bound; the suite normally takes a minute or two.
TEST_TIMEOUT ?= 8m

.PHONY: all build test deps vet fuzz demo fmt clean bench bench-flowload

all: build

build:
	$(GO) build ./...
	$(GO) build -o bin/govswitchd ./cmd/govswitchd

deps:
	bash scripts/install-deps.sh

vet:
	$(GO) vet ./...

test: deps vet
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# Every fuzz target for FUZZTIME each (briefly in "make test"). A count,
# not a duration: with a duration, Go 1.26's fuzz coordinator can report
# its own deadline as a failure (golang/go#75804).
FUZZTIME ?= 50000x
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

demo:
	bash scripts/demo.sh

# Same-run comparison with ovs-vswitchd on the shared harness (root, ~10-50
# min); not part of "test". BENCH_ARGS picks workloads, e.g. "veth flows".
bench:
	bash bench/run.sh $(BENCH_ARGS)

# Issue 3's load of 100,000 flows, ovs-vswitchd against govswitchd (root,
# ~1 min); report in bench/results/flowload-*.md.
bench-flowload:
	bash bench/flowload.sh

fmt:
	$(GO) fmt ./...

clean:
	rm -rf bin
