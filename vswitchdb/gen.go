// Package vswitchdb holds the Go models of the Open_vSwitch database, generated
// by libovsdb's modelgen from the schema Open vSwitch installs. It must not
// import any other package of this module.
package vswitchdb

//go:generate go tool modelgen -p vswitchdb -o . /usr/share/openvswitch/vswitch.ovsschema
