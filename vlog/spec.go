package vlog

import (
	"errors"
	"fmt"
	"strings"
)

// specDelims separate the words of a spec, as in OVS.
const specDelims = " ,:\t"

// nextWord returns the first word of s and what follows the delimiter that
// ended it (the remainder a "PATTERN:dest:" spec takes verbatim).
func nextWord(s string) (word, rest string, ok bool) {
	start := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(specDelims, r) })
	if start < 0 {
		return "", "", false
	}
	s = s[start:]
	end := strings.IndexAny(s, specDelims)
	if end < 0 {
		return s, "", true
	}
	return s[:end], s[end+1:], true
}

// SetSpec applies one -v / --verbose / vlog/set argument:
//
//	[module][:destination][:level]   words in any order, "ANY" for all;
//	                                 missing level = dbg, missing others = all
//	PATTERN:destination:pattern      set a destination's line format
//	FACILITY:name                    set the syslog facility
//
// Words may be separated by ':', ',', space or tab and match in any case.
// "" sets every module and destination to dbg. The error texts are OVS's.
func SetSpec(spec string) error {
	word, rest, ok := nextWord(spec)
	switch {
	case ok && strings.EqualFold(word, "PATTERN"):
		dword, pat, ok := nextWord(rest)
		if !ok {
			return errors.New("missing destination")
		}
		if strings.EqualFold(dword, "ANY") {
			for d := range numDestinations {
				SetPattern(d, pat)
			}
			return nil
		}
		d, ok := ParseDestination(dword)
		if !ok {
			return fmt.Errorf("unknown destination %q", dword)
		}
		SetPattern(d, pat)
		return nil

	case ok && strings.EqualFold(word, "FACILITY"):
		code, ok := facilityCode(rest)
		if !ok {
			return errors.New("invalid facility")
		}
		state.facility.Store(int32(code))
		return nil
	}

	var (
		module   *Module
		level    = Level(-1)
		dest     = Destination(-1)
		haveDest bool
	)
	for ; ok; word, rest, ok = nextWord(rest) {
		if strings.EqualFold(word, "ANY") {
			continue
		}
		if d, isDest := ParseDestination(word); isDest {
			if haveDest {
				return errors.New("cannot specify multiple destinations")
			}
			dest, haveDest = d, true
		} else if l, isLevel := ParseLevel(word); isLevel {
			if level >= 0 {
				return errors.New("cannot specify multiple levels")
			}
			level = l
		} else if m := lookup(word); m != nil {
			if module != nil {
				return errors.New("cannot specify multiple modules")
			}
			module = m
		} else {
			return fmt.Errorf("no destination, level, or module %q", word)
		}
	}
	if level < 0 {
		level = LevelDbg
	}
	setLevels(module, dest, level)
	return nil
}

// setLevels sets module's level (nil = every module, and the default for
// modules registered later) for dest (negative = every destination).
func setLevels(module *Module, dest Destination, level Level) {
	state.mu.Lock()
	defer state.mu.Unlock()
	for d := range numDestinations {
		if dest >= 0 && d != dest {
			continue
		}
		if module != nil {
			module.levels[d].Store(int32(level))
			continue
		}
		state.defaultLevels[d] = level
		for _, m := range state.modules {
			m.levels[d].Store(int32(level))
		}
	}
	if module != nil {
		module.updateMinLevelLocked()
		return
	}
	for _, m := range state.modules {
		m.updateMinLevelLocked()
	}
}

// SetLevel sets one module's level for one destination.
func (m *Module) SetLevel(d Destination, l Level) {
	if d < 0 || d >= numDestinations || l < LevelOff || l >= numLevels {
		return
	}
	setLevels(m, d, l)
}

// SetPattern changes the line format of destination d.
func SetPattern(d Destination, text string) {
	if d < 0 || d >= numDestinations {
		return
	}
	state.patterns[d].Store(compilePattern(text))
}
