package vlog

import (
	"fmt"
	"strings"
	"time"
)

// strftimeMillis formats t like C strftime() for the conversions log
// patterns use, then replaces each run of '#' with the milliseconds digit by
// digit (zeros after the third), as OVS does for "%S.###".
func strftimeMillis(layout string, t time.Time) string {
	out := strftime(layout, t)
	if !strings.Contains(out, "#") {
		return out
	}
	ms := fmt.Sprintf("%03d", t.Nanosecond()/int(time.Millisecond))
	b := []byte(out)
	for i := 0; i < len(b); i++ {
		if b[i] != '#' {
			continue
		}
		for k := 0; i < len(b) && b[i] == '#'; i, k = i+1, k+1 {
			if k < len(ms) {
				b[i] = ms[k]
			} else {
				b[i] = '0'
			}
		}
	}
	return string(b)
}

// strftimeConv expands one conversion letter; ok is false for letters this
// subset does not know, which are then copied through unchanged.
func strftimeConv(c byte, t time.Time) (s string, ok bool) {
	switch c {
	case 'a':
		return t.Format("Mon"), true
	case 'A':
		return t.Format("Monday"), true
	case 'b', 'h':
		return t.Format("Jan"), true
	case 'B':
		return t.Format("January"), true
	case 'c':
		return t.Format("Mon Jan _2 15:04:05 2006"), true
	case 'C':
		return fmt.Sprintf("%02d", t.Year()/100), true
	case 'd':
		return fmt.Sprintf("%02d", t.Day()), true
	case 'D':
		return t.Format("01/02/06"), true
	case 'e':
		return fmt.Sprintf("%2d", t.Day()), true
	case 'F':
		return t.Format("2006-01-02"), true
	case 'H':
		return fmt.Sprintf("%02d", t.Hour()), true
	case 'I':
		return t.Format("03"), true
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay()), true
	case 'k':
		return fmt.Sprintf("%2d", t.Hour()), true
	case 'l':
		return t.Format("_3"), true
	case 'm':
		return fmt.Sprintf("%02d", int(t.Month())), true
	case 'M':
		return fmt.Sprintf("%02d", t.Minute()), true
	case 'n':
		return "\n", true
	case 'p':
		return t.Format("PM"), true
	case 'R':
		return t.Format("15:04"), true
	case 's':
		return fmt.Sprint(t.Unix()), true
	case 'S':
		return fmt.Sprintf("%02d", t.Second()), true
	case 't':
		return "\t", true
	case 'T':
		return t.Format("15:04:05"), true
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return fmt.Sprint(wd), true
	case 'w':
		return fmt.Sprint(int(t.Weekday())), true
	case 'y':
		return fmt.Sprintf("%02d", t.Year()%100), true
	case 'Y':
		return fmt.Sprint(t.Year()), true
	case 'z':
		return t.Format("-0700"), true
	case 'Z':
		return t.Format("MST"), true
	case '%':
		return "%", true
	}
	return "", false
}

func strftime(layout string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 >= len(layout) {
			b.WriteByte(c)
			continue
		}
		i++
		if s, ok := strftimeConv(layout[i], t); ok {
			b.WriteString(s)
		} else {
			b.WriteByte('%')
			b.WriteByte(layout[i])
		}
	}
	return b.String()
}
