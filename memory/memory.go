// Package memory collects the usage figures that components report about
// themselves (ports, rules, ...) and prints them as OVS's memory/show does.
// It also logs the process's peak RSS as OVS does. It imports only unixctl
// and vlog from this module.
package memory

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// reporters are the registered report functions by component name. mu
// guards it; reports run without the lock so they may take their own.
var (
	mu        sync.Mutex
	reporters = map[string]func(usage map[string]int){}
)

// Register adds (or, for an existing name, replaces) a component's report
// function; it fills usage with counts such as "ports":2, "rules":5. A nil
// report removes the component.
func Register(name string, report func(usage map[string]int)) {
	mu.Lock()
	defer mu.Unlock()
	if report == nil {
		delete(reporters, name)
		return
	}
	reporters[name] = report
}

// Report gathers every component's figures into one line of "key:value"
// pairs sorted by key and separated by spaces ("" when there are none).
// Negative values are shown as 0, since OVS's counts are unsigned.
func Report() string {
	mu.Lock()
	names := make([]string, 0, len(reporters))
	for name := range reporters {
		names = append(names, name)
	}
	mu.Unlock()
	sort.Strings(names) // a fixed call order makes key clashes deterministic

	usage := map[string]int{}
	for _, name := range names {
		mu.Lock()
		report := reporters[name]
		mu.Unlock()
		if report != nil {
			report(usage)
		}
	}
	keys := make([]string, 0, len(usage))
	for k := range usage {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, max(usage[k], 0))
	}
	return strings.Join(parts, " ")
}
