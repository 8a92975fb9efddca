package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Pidfile is a created, locked pidfile. ovs-appctl trusts a pidfile only
// while a process holds an fcntl write lock over the whole file and that
// process's pid is the one written in it, so the descriptor stays open for the
// life of the process and no other descriptor of the file is ever opened here
// (closing any descriptor of a file drops the process's POSIX locks on it).
type Pidfile struct {
	path string

	mu sync.Mutex // guards f
	f  *os.File   // nil once removed
}

// ownPidfile identifies this process's pidfile by device and inode so that
// ReadPidfile never opens (and then closes) a second descriptor of it.
var ownPidfile struct {
	sync.Mutex
	dev, ino uint64
	set      bool
}

// CreatePidfile writes "<pid>\n" to path+".tmp", locks it, checks that no
// live process holds path, and renames the temporary file over path, as OVS's
// make_pidfile does. Errors carry OVS's message texts.
func CreatePidfile(path string) (*Pidfile, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: create failed (%s)", tmp, Strerror(err))
	}
	if err := lockFile(f, syscall.F_SETLK, &syscall.Flock_t{}); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: fcntl(F_SETLK) failed (%s)", tmp, Strerror(err))
	}
	// We own tmp now: whatever fails below, it is ours to delete.
	fail := func(err error) (*Pidfile, error) {
		os.Remove(tmp)
		f.Close()
		return nil, err
	}
	if err := checkAlreadyRunning(path); err != nil {
		return fail(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return fail(fmt.Errorf("%s: fstat failed (%s)", tmp, Strerror(err)))
	}
	if err := f.Truncate(0); err != nil {
		return fail(fmt.Errorf("%s: truncate failed (%s)", tmp, Strerror(err)))
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return fail(fmt.Errorf("%s: write failed (%s)", tmp, Strerror(err)))
	}
	if err := os.Rename(tmp, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err
		}
		return fail(fmt.Errorf("failed to rename %q to %q (%s)", tmp, path, Strerror(err)))
	}
	ownPidfile.Lock()
	ownPidfile.dev, ownPidfile.ino, ownPidfile.set = st.Dev, st.Ino, true
	ownPidfile.Unlock()
	return &Pidfile{path: path, f: f}, nil
}

// Path is the pidfile's name.
func (p *Pidfile) Path() string { return p.path }

// Remove deletes the pidfile and then releases the lock. It is idempotent.
func (p *Pidfile) Remove() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.f == nil {
		return nil
	}
	err := os.Remove(p.path)
	p.f.Close()
	p.f = nil
	ownPidfile.Lock()
	ownPidfile.set = false
	ownPidfile.Unlock()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove pidfile: %w", err)
	}
	return nil
}

func checkAlreadyRunning(path string) error {
	pid, err := readPidfile(path, true)
	switch {
	case err != nil:
		return fmt.Errorf("%s: pidfile check failed (%s), aborting", path, Strerror(err))
	case pid > 0:
		return fmt.Errorf("%s: already running as pid %d, aborting", path, pid)
	}
	return nil
}

// ReadPidfile returns the pid of the live process that holds path, applying
// ovs-appctl's rules: the file must be write-locked and its first line must be
// the lock holder's pid. A missing file yields an error wrapping ENOENT, an
// unlocked or stale one an error wrapping ESRCH.
func ReadPidfile(path string) (int, error) {
	pid, err := readPidfile(path, false)
	if err != nil {
		return 0, fmt.Errorf("read pidfile %s: %w", path, err)
	}
	return pid, nil
}

// readPidfile returns the holder's pid, or 0 when there is no pidfile (only
// if deleteIfStale; an unlocked file is then deleted, racing safely with
// other starters by locking it first).
func readPidfile(path string, deleteIfStale bool) (int, error) {
	if isOwnPidfile(path) {
		return os.Getpid(), nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && deleteIfStale {
			return 0, nil
		}
		return 0, err
	}
	defer f.Close()

	var lk syscall.Flock_t
	if err := lockFile(f, syscall.F_GETLK, &lk); err != nil {
		return 0, err
	}
	if lk.Type == syscall.F_UNLCK {
		if !deleteIfStale {
			return 0, syscall.ESRCH
		}
		if err := lockFile(f, syscall.F_SETLK, &syscall.Flock_t{}); err != nil {
			return 0, err // lost the race to another starter
		}
		var st1, st2 syscall.Stat_t
		if syscall.Stat(path, &st1) != nil || syscall.Fstat(int(f.Fd()), &st2) != nil ||
			st1.Dev != st2.Dev || st1.Ino != st2.Ino {
			return 0, syscall.EALREADY // someone else replaced it meanwhile
		}
		if err := os.Remove(path); err != nil {
			return 0, err
		}
		return 0, nil
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return 0, syscall.ESRCH
		}
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid != int(lk.Pid) {
		// Locked by a process that did not write it: it is being replaced.
		return 0, syscall.ESRCH
	}
	return pid, nil
}

func isOwnPidfile(path string) bool {
	ownPidfile.Lock()
	defer ownPidfile.Unlock()
	if !ownPidfile.set {
		return false
	}
	var st syscall.Stat_t
	return syscall.Stat(path, &st) == nil && st.Dev == ownPidfile.dev && st.Ino == ownPidfile.ino
}

// lockFile applies cmd (F_SETLK or F_GETLK) for a write lock over the whole
// file, retrying on EINTR.
func lockFile(f *os.File, cmd int, lk *syscall.Flock_t) error {
	*lk = syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	for {
		err := syscall.FcntlFlock(f.Fd(), cmd, lk)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
