package offload

import (
	"fmt"
	"slices"
	"sync"
)

// Factory makes a new instance of a provider: one per Manager.
type Factory func() Provider

var registry = struct {
	mu sync.RWMutex
	m  map[string]Factory
}{m: map[string]Factory{}}

// Register makes a provider available by name (the value of
// other_config:ct-offload-provider). Like database/sql.Register it is meant
// for init functions and panics on a nil factory or a duplicate name.
func Register(name string, f Factory) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if name == "" || f == nil {
		panic("offload: Register needs a name and a factory")
	}
	if _, dup := registry.m[name]; dup {
		panic(fmt.Sprintf("offload: provider %q registered twice", name))
	}
	registry.m[name] = f
}

// Lookup returns the factory registered under name.
func Lookup(name string) (Factory, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	f, ok := registry.m[name]
	return f, ok
}

// Providers returns the registered names, sorted.
func Providers() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	names := make([]string, 0, len(registry.m))
	for n := range registry.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
