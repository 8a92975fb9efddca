package offload

import (
	"fmt"
	"strings"
)

// Open_vSwitch other_config keys read at start (a change needs a restart,
// as OVS's hw-offload does).
const (
	KeyHWOffload = "hw-offload"          // "true" enables offload
	KeyProvider  = "ct-offload-provider" // provider name, DefaultProvider if unset
)

// DefaultProvider is used when hw-offload is on and no provider is named.
const DefaultProvider = "xdp"

// ConfigFromOtherConfig reads the offload settings from Open_vSwitch
// other_config. enabled is false unless hw-offload is exactly "true" (OVS's
// boolean parsing). With offload enabled, naming a provider that is not
// registered is an error.
func ConfigFromOtherConfig(oc map[string]string) (cfg Config, enabled bool, err error) {
	if oc[KeyHWOffload] != "true" {
		return Config{}, false, nil
	}
	cfg.Provider = oc[KeyProvider]
	if cfg.Provider == "" {
		cfg.Provider = DefaultProvider
	}
	if _, ok := Lookup(cfg.Provider); !ok {
		return Config{}, false, fmt.Errorf("other_config:%s=%s: no such conntrack offload provider (available: %s)",
			KeyProvider, cfg.Provider, strings.Join(Providers(), ", "))
	}
	return cfg, true, nil
}
