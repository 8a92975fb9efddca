package dpif

import "golang.org/x/sys/unix"

func init() { RegisterType("afxdp", openAFXDP) }

// openAFXDP keeps the type known (it is in OVS's iface_types) until the
// AF_XDP socket and XDP program are written; until then it refuses openly
// rather than falling back to a slower path the user did not ask for.
func openAFXDP(name string, _ map[string]string) (Port, error) {
	return nil, &OpenError{Name: name, Err: unix.EOPNOTSUPP,
		Detail: "afxdp interfaces are not implemented yet (no AF_XDP socket support)"}
}
