package tests

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// OpenFlow over TLS (issue 8): a PKI made with ovs-pki as an operator
// would make it (a switch CA and a controller CA), the daemon's SSL
// configuration from `ovs-vsctl set-ssl` or from its command line, and
// the real ovs-ofctl as the SSL client. Every scenario also runs against
// the real ovs-vswitchd with -real-ovs.

// pki is an ovs-pki directory with one switch and one controller
// certificate, plus an unrelated CA whose certificates must be refused.
type pki struct {
	dir                  string
	switchCA, ctrlCA     string // cacert.pem of each CA
	swKey, swCert        string
	ctlKey, ctlCert      string
	rogueKey, rogueCert  string // signed by another PKI's controller CA
	rogueCtrlCA          string
	rogueSwitchCA        string
	rogueSwKey, rogueSwC string // signed by the other PKI's switch CA
}

func newPKI(t *testing.T, e *env) *pki {
	t.Helper()
	p := &pki{dir: e.path("pki")}
	p.switchCA = p.dir + "/switchca/cacert.pem"
	p.ctrlCA = p.dir + "/controllerca/cacert.pem"
	other := e.path("otherpki")
	logf := e.path("ovs-pki.log")
	// Names relative to e.dir (the commands' directory): ovs-pki puts the
	// name in the certificate's CN, which is limited to 64 bytes.
	for _, args := range [][]string{
		{"--dir=" + p.dir, "init"},
		{"--dir=" + p.dir, "req+sign", "sc", "switch"},
		{"--dir=" + p.dir, "req+sign", "ctl", "controller"},
		{"--dir=" + other, "init"},
		{"--dir=" + other, "req+sign", "rogue", "controller"},
		{"--dir=" + other, "req+sign", "roguesw", "switch"},
	} {
		if r := e.run("ovs-pki", append([]string{"--log=" + logf}, args...)...); r.code != 0 {
			log, _ := os.ReadFile(logf)
			t.Fatalf("ovs-pki %s: %s\n%s", strings.Join(args, " "), r, log[max(0, len(log)-2000):])
		}
	}
	p.swKey, p.swCert = e.path("sc-privkey.pem"), e.path("sc-cert.pem")
	p.ctlKey, p.ctlCert = e.path("ctl-privkey.pem"), e.path("ctl-cert.pem")
	p.rogueKey, p.rogueCert = e.path("rogue-privkey.pem"), e.path("rogue-cert.pem")
	p.rogueSwKey, p.rogueSwC = e.path("roguesw-privkey.pem"), e.path("roguesw-cert.pem")
	p.rogueCtrlCA, p.rogueSwitchCA = other+"/controllerca/cacert.pem", other+"/switchca/cacert.pem"
	return p
}

// ofctlSSL runs ovs-ofctl in the daemon's namespace with a PKI identity.
func (e *env) ofctlSSL(key, cert, ca string, args ...string) result {
	e.t.Helper()
	return e.inNS("ovs-ofctl", append([]string{"--timeout=10", "-p", key, "-c", cert, "-C", ca}, args...)...)
}

// tcpListeners lists the listening TCP sockets of the daemon's namespace.
func (e *env) tcpListeners() []string {
	e.t.Helper()
	r := e.inNS("ss", "-Hltn")
	if r.code != 0 {
		e.t.Fatalf("ss: %s", r)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if f := strings.Fields(l); len(f) >= 4 {
			out = append(out, f[3])
		}
	}
	slices.Sort(out)
	return out
}

func TestTLSPassiveController(t *testing.T) {
	e := newEnv(t)
	p := newPKI(t, e)
	e.inNS("ip", "link", "set", "lo", "up")
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"other-config:datapath-id=0000000000000abc")

	// Nothing listens on TCP until a passive controller is configured.
	if got := e.tcpListeners(); len(got) != 0 {
		t.Fatalf("TCP listeners without any passive controller: %v", got)
	}

	e.mustVsctl("set-ssl", p.swKey, p.swCert, p.ctrlCA)
	e.mustVsctl("set-controller", "br0", "pssl:16653:127.0.0.1")
	e.waitFor("the pssl: listener", func() bool { return slices.Equal(e.tcpListeners(), []string{"127.0.0.1:16653"}) })
	target := "ssl:127.0.0.1:16653"

	// The controller, with a certificate from the controller CA and
	// trusting the switch CA, sees the same switch as the local socket.
	// Connections accepted on a passive controller are service
	// connections, like the management socket's: miss_send_len=0 too.
	want := e.must("ovs-ofctl", "show", "br0")
	var got result
	e.waitFor("an SSL connection", func() bool {
		got = e.ofctlSSL(p.ctlKey, p.ctlCert, p.switchCA, "show", target)
		return got.code == 0
	})
	if got.stdout != want || got.stderr != "" {
		t.Errorf("ovs-ofctl show over SSL:\n%s\nwant:\n%s", got, want)
	}
	e.ofctlSSL(p.ctlKey, p.ctlCert, p.switchCA, "add-flow", target, "priority=5,in_port=LOCAL,actions=drop")
	if got := e.must("ovs-ofctl", "dump-flows", "br0", "--no-stats"); !strings.Contains(got, "priority=5,in_port=LOCAL actions=drop") {
		t.Errorf("flow added over SSL missing:\n%s", got)
	}

	// Refused: a controller certificate from another CA; a controller that
	// does not trust the switch's CA; plain OpenFlow on the SSL port.
	refused := func(what string, r result) {
		t.Helper()
		if r.code == 0 || r.stdout != "" {
			t.Errorf("%s was not refused: %s", what, r)
		}
	}
	refused("a certificate from another CA", e.ofctlSSL(p.rogueKey, p.rogueCert, p.switchCA, "show", target))
	refused("a controller that does not trust the switch CA", e.ofctlSSL(p.ctlKey, p.ctlCert, p.rogueSwitchCA, "show", target))
	refused("plain TCP on the SSL port", e.inNS("ovs-ofctl", "--timeout=10", "show", "tcp:127.0.0.1:16653"))

	// A plain passive listener only when configured, and gone with it.
	e.mustVsctl("set-controller", "br0", "pssl:16653:127.0.0.1", "ptcp:16654:127.0.0.1")
	e.waitFor("both listeners", func() bool {
		return slices.Equal(e.tcpListeners(), []string{"127.0.0.1:16653", "127.0.0.1:16654"})
	})
	e.mustVsctl("del-controller", "br0")
	e.waitFor("no listener", func() bool { return len(e.tcpListeners()) == 0 })
}

// listenInNS opens a TLS listener inside network namespace ns: the socket
// is created on a thread switched into the namespace and back. If the way
// back fails the thread stays locked and is thrown away with its
// goroutine (never the main thread: that one would put the whole test
// process in ns, and the env's cleanup kills what runs in ns).
func listenInNS(t *testing.T, ns string, cfg *tls.Config) net.Listener {
	t.Helper()
	type res struct {
		ln  net.Listener
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		ln, back, err := listenFromThread(ns, cfg)
		if back {
			runtime.UnlockOSThread()
		}
		ch <- res{ln, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	return r.ln
}

// listenFromThread does listenInNS's work on the locked thread; back says
// whether the thread is in its own namespace again.
func listenFromThread(ns string, cfg *tls.Config) (net.Listener, bool, error) {
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, true, err
	}
	defer self.Close()
	target, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		return nil, true, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, true, fmt.Errorf("setns %s: %w", ns, err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	back := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil
	return ln, back, err
}

// controllerTLS is the TLS configuration of a controller holding key and
// the certificates of chain (its own first), requiring a client
// certificate signed by clientCA.
func controllerTLS(t *testing.T, key string, chain []string, clientCA string) *tls.Config {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(chain[0], key)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range chain[1:] {
		pair.Certificate = append(pair.Certificate, pemCerts(t, f)...)
	}
	pool := x509.NewCertPool()
	for _, der := range pemCerts(t, clientCA) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		pool.AddCert(c)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
}

// pemCerts returns the DER certificates of a PEM file.
func pemCerts(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var ders [][]byte
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
	if len(ders) == 0 {
		t.Fatalf("%s: no certificate", name)
	}
	return ders
}

// acceptHellos accepts SSL connections from the switch until one sends
// an OpenFlow HELLO, answers it, and returns how many connections ended
// before sending one.
func acceptHellos(t *testing.T, ln net.Listener) int {
	t.Helper()
	for dropped := 0; dropped < 3; dropped++ {
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		var hdr [8]byte
		if _, err := io.ReadFull(nc, hdr[:]); err != nil {
			continue
		}
		if hdr[1] != 0 || binary.BigEndian.Uint16(hdr[2:]) < 8 {
			t.Fatalf("first message header % x, want an OpenFlow HELLO", hdr)
		}
		// Answer with an OpenFlow 1.0 HELLO: OVS counts the controller
		// as connected only once the version is negotiated.
		if _, err := nc.Write([]byte{1, 0, 0, 8, 0, 0, 0, 1}); err != nil {
			t.Fatal(err)
		}
		return dropped
	}
	t.Fatal("no HELLO from the switch")
	return 0
}

func TestTLSActiveControllerFromCommandLine(t *testing.T) {
	e := newEnv(t)
	p := newPKI(t, e)
	e.inNS("ip", "link", "set", "lo", "up")
	ln := listenInNS(t, e.ns, controllerTLS(t, p.ctlKey, []string{p.ctlCert}, p.switchCA))
	e.startDaemon("--private-key="+p.swKey, "--certificate="+p.swCert, "--ca-cert="+p.ctrlCA)
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "set-controller", "br0", "ssl:"+ln.Addr().String())
	if n := acceptHellos(t, ln); n != 0 {
		t.Errorf("%d SSL connections dropped before the HELLO", n)
	}
	e.waitFor("is_connected", func() bool {
		return strings.TrimSpace(e.mustVsctl("get", "controller", "br0", "is_connected")) == "true"
	})
}

func TestTLSActiveControllerRefusesWrongCA(t *testing.T) {
	e := newEnv(t)
	p := newPKI(t, e)
	e.inNS("ip", "link", "set", "lo", "up")
	// The controller's certificate is not from the CA the switch trusts.
	ln := listenInNS(t, e.ns, controllerTLS(t, p.rogueKey, []string{p.rogueCert}, p.switchCA))
	e.startDaemon("--private-key="+p.swKey, "--certificate="+p.swCert, "--ca-cert="+p.ctrlCA)
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "set-controller", "br0", "ssl:"+ln.Addr().String())
	// Two attempts (one backoff) must both end without an OpenFlow byte.
	for i := 0; i < 2; i++ {
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		if n, err := nc.Read(make([]byte, 8)); err == nil {
			t.Errorf("attempt %d: read %d bytes from a switch that should refuse us", i, n)
		}
		nc.Close()
	}
	if got := strings.TrimSpace(e.mustVsctl("get", "controller", "br0", "is_connected")); got != "false" {
		t.Errorf("is_connected=%s with a controller from the wrong CA", got)
	}
}

func TestTLSBootstrapCACert(t *testing.T) {
	e := newEnv(t)
	p := newPKI(t, e)
	e.inNS("ip", "link", "set", "lo", "up")
	// The controller sends its CA certificate after its own, as
	// ovs-testcontroller --peer-ca-cert does.
	ln := listenInNS(t, e.ns, controllerTLS(t, p.ctlKey, []string{p.ctlCert, p.ctrlCA}, p.switchCA))
	boot := e.path("bootstrapped-cacert.pem")
	e.startDaemon("--private-key="+p.swKey, "--certificate="+p.swCert, "--bootstrap-ca-cert="+boot)
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "set-controller", "br0", "ssl:"+ln.Addr().String())
	// The first connection only fetches the CA certificate.
	if n := acceptHellos(t, ln); n != 1 {
		t.Errorf("%d SSL connections dropped before the HELLO, want the bootstrap one", n)
	}
	got, want := pemCerts(t, boot), pemCerts(t, p.ctrlCA)
	if len(got) != 1 || string(got[0]) != string(want[0]) {
		t.Error("bootstrapped CA certificate differs from the controller CA's")
	}
	if fi, err := os.Stat(boot); err != nil || fi.Mode().Perm() != 0o444 {
		t.Errorf("bootstrapped CA file: %v %v", fi.Mode(), err)
	}
}

// The control socket, the bridge's management and snoop sockets and a
// punix: controller socket are created mode 0770 less the umask, as by
// ovs-vswitchd: under a permissive umask they are still closed to others,
// and a strict umask narrows them further. punix: controllers are only
// allowed as RUNDIR/<bridge>.*, as ovs-vswitchd's self-confinement does.
func TestSocketPermissions(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o000, 0o770}, {0o027, 0o750}, {0o077, 0o700}} {
		t.Run(fmt.Sprintf("umask%03o", c.umask), func(t *testing.T) {
			e := newEnv(t)
			old := syscall.Umask(c.umask)
			pid := e.startDaemon()
			syscall.Umask(old)
			// The first punix: target is refused: a database user must not
			// make the daemon bind (and replace) files outside
			// RUNDIR/<bridge>.*.
			e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
				"--", "set-controller", "br0", "punix:"+e.path("ctl.sock"), "punix:"+e.path("br0.controller"))
			e.waitFor("the punix: socket", func() bool { _, err := os.Stat(e.path("br0.controller")); return err == nil })
			if _, err := os.Lstat(e.path("ctl.sock")); err == nil {
				t.Error("punix: socket created outside RUNDIR/br0.*")
			}
			names := []string{fmt.Sprintf("ovs-vswitchd.%d.ctl", pid), "br0.mgmt", "br0.snoop", "br0.controller"}
			var got []string
			for _, name := range names {
				fi, err := os.Lstat(e.path(name))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %v", name, fi.Mode()))
			}
			var want []string
			for _, name := range names {
				want = append(want, fmt.Sprintf("%s %v", name, os.ModeSocket|c.want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("socket modes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
