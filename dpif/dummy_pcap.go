package dpif

import (
	"encoding/binary"
	"os"
	"time"
)

// pcapWriter appends frames to a classic pcap file the way OVS's
// pcap-file.c writes it: host byte order, microsecond timestamps, snaplen
// 1518, link type Ethernet, a header only when the file is empty, and every
// record written through at once so a test can read the file at any time.
type pcapWriter struct {
	f   *os.File
	rec []byte // reused record buffer
}

// openPcap opens name for appending.
func openPcap(name string) (*pcapWriter, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	w := &pcapWriter{f: f}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		var h [24]byte
		binary.NativeEndian.PutUint32(h[0:], 0xa1b2c3d4)
		binary.NativeEndian.PutUint16(h[4:], 2)
		binary.NativeEndian.PutUint16(h[6:], 4)
		binary.NativeEndian.PutUint32(h[16:], 1518)
		binary.NativeEndian.PutUint32(h[20:], 1) // Ethernet
		if _, err := f.Write(h[:]); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// write appends one record; like OVS it ignores write errors.
func (w *pcapWriter) write(frame []byte) {
	now := time.Now()
	n := 16 + len(frame)
	if cap(w.rec) < n {
		w.rec = make([]byte, n)
	}
	r := w.rec[:n]
	binary.NativeEndian.PutUint32(r[0:], uint32(now.Unix()))
	binary.NativeEndian.PutUint32(r[4:], uint32(now.Nanosecond()/1000))
	binary.NativeEndian.PutUint32(r[8:], uint32(len(frame)))
	binary.NativeEndian.PutUint32(r[12:], uint32(len(frame)))
	copy(r[16:], frame)
	_, _ = w.f.Write(r)
}

func (w *pcapWriter) close() { w.f.Close() }

// openPcaps applies options pcap, rxq_pcap and tx_pcap: pcap records both
// directions in one file. A file that cannot be opened is logged and
// skipped, as netdev-dummy does.
func (p *DummyPort) openPcaps(options map[string]string) {
	open := func(name string) *pcapWriter {
		w, err := openPcap(name)
		if err != nil {
			dummyLog.Warn("%s: failed to open pcap file for appending (%s)", name, Strerror(err))
			return nil
		}
		return w
	}
	if name, ok := options["pcap"]; ok {
		p.rxPcap = open(name)
		p.txPcap = p.rxPcap
		return
	}
	if name, ok := options["rxq_pcap"]; ok {
		p.rxPcap = open(name)
	}
	if name, ok := options["tx_pcap"]; ok {
		p.txPcap = open(name)
	}
}
