// Package bpf holds the eBPF programs the userspace datapath loads into the
// kernel, compiled ahead of time with bpf2go so that building the switch
// needs no clang. It must not import dpif or anything above it.
//
// xsk.c is the afxdp ports' XDP program: frames go to the queue's AF_XDP
// socket, except, when loaded with LoadXSKOffload, frames of connections
// the conntrack offload provider put in the shared OffloadMaps, which the
// program rewrites and redirects itself (ct_offload.h; offload.go mirrors
// its map layouts).
//
// After editing a .c file, run "go generate ./dpif/bpf" (needs clang and
// llvm) and commit the regenerated *_bpfel/bpfeb.go and .o files.
package bpf

//go:generate go tool bpf2go -tags linux -output-stem xsk xsk xsk.c -- -O2 -g -Wall -Werror
