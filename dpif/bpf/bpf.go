// Package bpf holds the eBPF programs the userspace datapath loads into the
// kernel, compiled ahead of time with bpf2go so that building the switch
// needs no clang. It must not import dpif or anything above it.
//
// After editing a .c file, run "go generate ./dpif/bpf" (needs clang and
// llvm) and commit the regenerated *_bpfel/bpfeb.go and .o files.
package bpf

//go:generate go tool bpf2go -tags linux -output-stem xsk xsk xsk.c -- -O2 -g -Wall -Werror
