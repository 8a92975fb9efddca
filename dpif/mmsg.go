package dpif

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// recvmmsg and sendmmsg move a whole batch in one system call, rawRW one
// frame. The header arrays live in the Go heap, which does not move
// objects, so the kernel may be handed their addresses; KeepAlive holds
// them until it returns.
//
// All are raw system calls: their descriptors never block (non-blocking,
// MSG_DONTWAIT), and poll loops make them by the thousand each second.
// Through the scheduler's syscall path each would mark the caller's P as in
// a syscall, and sysmon, finding it so, would hand the P to another thread
// and wake every 20 µs on the switch's core (see xskSocket.kickTx).

// recvmmsg fills up to len(hdrs) messages; EINTR is retried.
func recvmmsg(fd int, hdrs []unix.Mmsghdr, flags int) (int, error) {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), uintptr(flags|unix.MSG_DONTWAIT), 0, 0)
		runtime.KeepAlive(hdrs)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}

// sendmmsg sends messages from hdrs in order and returns how many went;
// EINTR is retried.
func sendmmsg(fd int, hdrs []unix.Mmsghdr) (int, error) {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), unix.MSG_DONTWAIT, 0, 0)
		runtime.KeepAlive(hdrs)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}

// rawRW reads or writes (trap SYS_READ or SYS_WRITE) b on fd, which must be
// non-blocking.
func rawRW(trap uintptr, fd int, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(p), uintptr(len(b)))
	runtime.KeepAlive(b)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
