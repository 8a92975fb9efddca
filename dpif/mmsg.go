package dpif

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// recvmmsg and sendmmsg move a whole batch in one system call. The header
// arrays live in the Go heap, which does not move objects, so the kernel
// may be handed their addresses; KeepAlive holds them until it returns.

// recvmmsg fills up to len(hdrs) messages; EINTR is retried.
func recvmmsg(fd int, hdrs []unix.Mmsghdr, flags int) (int, error) {
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), uintptr(flags), 0, 0)
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
	return sendmmsgVia(unix.Syscall6, fd, hdrs)
}

// rawSendmmsg is sendmmsg for PMD threads (see xskSocket.kickTx).
func rawSendmmsg(fd int, hdrs []unix.Mmsghdr) (int, error) {
	return sendmmsgVia(unix.RawSyscall6, fd, hdrs)
}

func sendmmsgVia(syscall6 func(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, uintptr, unix.Errno),
	fd int, hdrs []unix.Mmsghdr) (int, error) {
	for {
		n, _, e := syscall6(unix.SYS_SENDMMSG, uintptr(fd),
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
