package vlog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// selfLog is vlog's own module, for "opened log file" and friends.
var selfLog = New("vlog")

// SetLogFile opens path for appending (mode 0660, created if missing) and
// makes it the file destination, as --log-file does. "" closes the file
// destination and forgets the name. Opening the file already in use is a
// no-op, so vlog/reopen after log rotation only switches when the name now
// refers to a new file.
func SetLogFile(path string) error {
	if path == "" {
		closeLogFile(true)
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("vlog: log file %s: %w", path, err)
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o660)
	if err != nil {
		selfLog.Warn("failed to open %s for logging: %s", abs, strerror(err))
		return fmt.Errorf("vlog: open log file: %w", err)
	}

	state.mu.Lock()
	same := state.file != nil && sameFile(state.file, f)
	wasOpen := state.file != nil
	state.mu.Unlock()
	if same {
		f.Close()
		return nil
	}
	if wasOpen {
		selfLog.Info("closing log file")
	}

	state.mu.Lock()
	old := state.file
	state.loggers[DestFile].SetOutput(f) // after this no write uses old
	state.file, state.fileName = f, abs
	state.fileOpen.Store(true)
	for _, m := range state.modules {
		m.updateMinLevelLocked()
	}
	state.mu.Unlock()
	if old != nil {
		old.Close()
	}
	selfLog.Info("opened log file %s", abs)
	return nil
}

func sameFile(a, b *os.File) bool {
	fa, err1 := a.Stat()
	fb, err2 := b.Stat()
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// closeLogFile closes the file destination; forget also drops the name so
// that Reopen does nothing.
func closeLogFile(forget bool) {
	state.mu.Lock()
	old := state.file
	state.loggers[DestFile].SetOutput(io.Discard)
	state.file = nil
	state.fileOpen.Store(false)
	if forget {
		state.fileName = ""
	}
	for _, m := range state.modules {
		m.updateMinLevelLocked()
	}
	state.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// LogFile is the configured log file name, "" if none.
func LogFile() string {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.fileName
}

// Reopen re-opens the configured log file by name (vlog/reopen, e.g. after
// logrotate moved it away). Without a configured file it does nothing.
func Reopen() error {
	name := LogFile()
	if name == "" {
		return nil
	}
	return SetLogFile(name)
}

// strerror renders an error's errno the way the C library does ("Permission
// denied"), since OVS puts strerror() text in replies.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return err.Error()
}
