package vlog

import (
	"os"
	"strconv"
	"strings"
)

// pattern is a compiled OVS log format such as "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m".
// Directives are %[-][0][width]X with X one of the conversions below; c, d
// and D take an optional {argument}. Unknown conversions print the letter.
type pattern struct {
	text string
	segs []segment
}

// segment is literal text (conv == 0) or one directive.
type segment struct {
	lit    string
	conv   byte
	left   bool // left-justify within width
	zero   bool // pad with '0' instead of ' '
	width  int
	arg    string
	hasArg bool
}

func compilePattern(text string) *pattern {
	p := &pattern{text: text}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.segs = append(p.segs, segment{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		if text[i] != '%' {
			lit.WriteByte(text[i])
			i++
			continue
		}
		i++
		var s segment
		if i < len(text) && text[i] == '-' {
			s.left = true
			i++
		}
		if i < len(text) && text[i] == '0' {
			s.zero = true
			i++
		}
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			if s.width < 1<<16 { // a silly width must not exhaust memory
				s.width = s.width*10 + int(text[i]-'0')
			}
			i++
		}
		if i >= len(text) {
			break // a dangling '%' prints nothing
		}
		s.conv = text[i]
		i++
		if (s.conv == 'c' || s.conv == 'd' || s.conv == 'D') && i < len(text) && text[i] == '{' {
			end := strings.IndexByte(text[i+1:], '}')
			if end < 0 {
				s.arg, i = text[i+1:], len(text)
			} else {
				s.arg, i = text[i+1:i+1+end], i+2+end
			}
			s.hasArg = true
		}
		flush()
		p.segs = append(p.segs, s)
	}
	flush()
	return p
}

// defaultTimeFormat is what %d and %D print without an argument.
const defaultTimeFormat = "%Y-%m-%d %H:%M:%S.###"

func (p *pattern) format(r *record) string {
	var b strings.Builder
	for _, s := range p.segs {
		if s.conv == 0 {
			b.WriteString(s.lit)
			continue
		}
		v := s.expand(r)
		if pad := s.width - len(v); pad > 0 {
			padChar := " "
			if s.zero {
				padChar = "0"
			}
			fill := strings.Repeat(padChar, pad)
			if s.left {
				v += fill
			} else {
				v = fill + v
			}
		}
		b.WriteString(v)
	}
	return b.String()
}

func (s *segment) expand(r *record) string {
	switch s.conv {
	case 'A':
		return programName()
	case 'B':
		facility := currentFacility()
		if facility == 0 {
			facility = facilityLocal0
		}
		return strconv.Itoa(facility + syslogSeverity[r.level])
	case 'c':
		return r.module
	case 'd', 'D':
		layout := defaultTimeFormat
		if s.hasArg {
			layout = s.arg
		}
		t := r.time.Local()
		if s.conv == 'D' {
			t = r.time.UTC()
		}
		return strftimeMillis(layout, t)
	case 'E':
		h, _ := os.Hostname()
		return h
	case 'm':
		return strings.TrimRight(r.msg, "\n")
	case 'N':
		return strconv.FormatUint(uint64(r.seq), 10)
	case 'n':
		return "\n"
	case 'p':
		return r.level.String()
	case 'P':
		return strconv.Itoa(os.Getpid())
	case 'r':
		return strconv.FormatInt(r.time.Sub(state.start).Milliseconds(), 10)
	case 't':
		return "main" // goroutines have no subprogram names
	case 'T':
		return ""
	default:
		return string(s.conv)
	}
}
