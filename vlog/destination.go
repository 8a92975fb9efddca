package vlog

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
)

// Destination is where log lines go. The order (syslog, console, file) is
// OVS's and shows in vlog/list-pattern.
type Destination int

// The destinations.
const (
	DestSyslog Destination = iota
	DestConsole
	DestFile
	numDestinations
)

var destNames = [numDestinations]string{"SYSLOG", "CONSOLE", "FILE"}

// defaultPatterns are OVS's default line formats per destination.
var defaultPatterns = [numDestinations]string{
	"ovs|%05N|%c%T|%p|%m",
	"%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",
	"%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",
}

func (d Destination) String() string {
	if d < 0 || d >= numDestinations {
		return "?"
	}
	return destNames[d]
}

// ParseDestination accepts a destination name in any case.
func ParseDestination(s string) (Destination, bool) {
	for i, n := range destNames {
		if strings.EqualFold(n, s) {
			return Destination(i), true
		}
	}
	return 0, false
}

// state is the package's global configuration. mu guards modules,
// defaultLevels, file and fileName; the atomics, the patterns and the
// loggers (which lock themselves) are read on the logging path without it,
// so nothing may log while holding mu.
var state = newState()

type globalState struct {
	mu            sync.Mutex
	modules       map[string]*Module // keyed by lower-case name
	defaultLevels [numDestinations]Level
	file          *os.File // nil when the file destination is closed
	fileName      string   // kept across vlog/close so vlog/reopen works

	fileOpen    atomic.Bool  // mirrors file != nil for the logging path
	facility    atomic.Int32 // syslog facility code (already shifted); 0 = unset
	seq         atomic.Uint32
	patterns    [numDestinations]atomic.Pointer[pattern]
	loggers     [numDestinations]*logrus.Logger
	programName atomic.Pointer[string]
	start       time.Time
}

func newState() *globalState {
	s := &globalState{
		modules: make(map[string]*Module),
		start:   time.Now(),
	}
	for d := range numDestinations {
		s.defaultLevels[d] = LevelInfo
		s.patterns[d].Store(compilePattern(defaultPatterns[d]))
		s.loggers[d] = &logrus.Logger{
			Out:       io.Discard,
			Formatter: &lineFormatter{dest: d},
			Hooks:     make(logrus.LevelHooks),
			Level:     logrus.TraceLevel, // vlog filters; logrus writes all
		}
	}
	s.loggers[DestConsole].Out = os.Stderr
	s.loggers[DestSyslog].Out = &syslogWriter{}
	name := filepath.Base(os.Args[0])
	s.programName.Store(&name)
	return s
}

// SetConsoleWriter sends console output to w (default os.Stderr); daemon
// code changes it when it detaches from the terminal.
func SetConsoleWriter(w io.Writer) {
	if w == nil {
		w = io.Discard
	}
	state.loggers[DestConsole].SetOutput(w)
}

// SetProgramName sets the name used by %A and in syslog messages (default:
// the base name of os.Args[0]).
func SetProgramName(name string) { state.programName.Store(&name) }

func programName() string { return *state.programName.Load() }

// record is one message on its way through the logrus loggers; the
// formatter reads it from the entry's data.
type record struct {
	module string
	level  Level
	seq    uint32
	msg    string
	time   time.Time
}

const recordKey = "vlog.record"

// logrusLevel maps OVS levels onto logrus's only for the benefit of logrus
// hooks; vlog's own filtering decides what is written. Entry.Log never
// panics or exits, whatever the level.
var logrusLevel = [numLevels]logrus.Level{
	logrus.FatalLevel, logrus.FatalLevel, logrus.ErrorLevel,
	logrus.WarnLevel, logrus.InfoLevel, logrus.DebugLevel,
}

// emit writes msg to each destination whose level admits it. The sequence
// number is shared by all modules and destinations, so one message carries
// the same number everywhere.
func emit(m *Module, l Level, msg string) {
	var to [numDestinations]bool
	some := false
	for d := range numDestinations {
		to[d] = Level(m.levels[d].Load()) >= l
		if d == DestFile {
			to[d] = to[d] && state.fileOpen.Load()
		}
		some = some || to[d]
	}
	if !some {
		return
	}
	rec := &record{module: m.name, level: l, msg: msg, time: time.Now(), seq: state.seq.Add(1)}
	for d := range numDestinations {
		if to[d] {
			logger := state.loggers[d]
			logrus.NewEntry(logger).WithTime(rec.time).WithField(recordKey, rec).Log(logrusLevel[l], msg)
		}
	}
}

// lineFormatter renders an entry in the destination's current OVS pattern.
type lineFormatter struct {
	dest Destination
}

func (f *lineFormatter) Format(e *logrus.Entry) ([]byte, error) {
	rec, ok := e.Data[recordKey].(*record)
	if !ok {
		// An entry logged straight through logrus: give it a number.
		rec = &record{module: "logrus", level: fromLogrus(e.Level), msg: e.Message, time: e.Time, seq: state.seq.Add(1)}
	}
	text := state.patterns[f.dest].Load().format(rec)
	if f.dest != DestSyslog {
		return append([]byte(text), '\n'), nil
	}
	return syslogDatagrams(rec, text), nil
}

func fromLogrus(l logrus.Level) Level {
	switch {
	case l <= logrus.FatalLevel:
		return LevelEmer
	case l == logrus.ErrorLevel:
		return LevelErr
	case l == logrus.WarnLevel:
		return LevelWarn
	case l == logrus.InfoLevel:
		return LevelInfo
	default:
		return LevelDbg
	}
}
