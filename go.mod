module github.com/govswitchd/govswitchd

go 1.26.0

require (
	github.com/ovn-kubernetes/libovsdb v0.8.1 // indirect
	github.com/sirupsen/logrus v1.10.2 // indirect
	github.com/vishvananda/netlink v1.3.1 // indirect
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.22.0 // indirect
)

tool github.com/ovn-kubernetes/libovsdb/cmd/modelgen
