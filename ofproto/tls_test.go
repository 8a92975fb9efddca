package ofproto

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
)

// testPKI is a CA and certificates signed by it, written as PEM files the
// way ovs-pki lays them out.
type testPKI struct {
	dir    string
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caFile string
}

var serial int64

func newTestPKI(t *testing.T, dir, name string) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name + " CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &testPKI{dir: dir, caCert: ca, caKey: key, caFile: filepath.Join(dir, name+"-cacert.pem")}
	writePEM(t, p.caFile, "CERTIFICATE", der)
	return p
}

// issue writes NAME-privkey.pem and NAME-cert.pem signed by the CA.
func (p *testPKI) issue(t *testing.T, name string) (keyFile, certFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(p.dir, name+"-privkey.pem")
	certFile = filepath.Join(p.dir, name+"-cert.pem")
	writePEM(t, keyFile, "PRIVATE KEY", kder)
	writePEM(t, certFile, "CERTIFICATE", der)
	return keyFile, certFile
}

func writePEM(t *testing.T, name, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// clientTLS is a controller-side configuration trusting ca.
func clientTLS(t *testing.T, keyFile, certFile string, ca *testPKI) *tls.Config {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.caCert)
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, ServerName: "switch"}
}

// psslAddr returns the address of the bridge's only controller listener.
func psslAddr(t *testing.T, b *Bridge) string {
	t.Helper()
	b.connMu.Lock()
	defer b.connMu.Unlock()
	if len(b.ctrlListeners) != 1 {
		t.Fatalf("%d controller listeners, want 1", len(b.ctrlListeners))
	}
	return b.ctrlListeners[0].Addr().String()
}

func TestPSSLMutualAuthentication(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "switch")
	key, cert := pki.issue(t, "switch")
	ckey, ccert := pki.issue(t, "controller")
	other := newTestPKI(t, dir, "other")
	okey, ocert := other.issue(t, "intruder")

	tlsCfg := NewTLS(SSLConfig{PrivateKey: key, Certificate: cert, CACert: pki.caFile})
	b, err := NewBridge("br0", dir, nil, Config{TLS: tlsCfg, Controllers: []string{"pssl:0:127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := psslAddr(t, b)

	// A controller with a certificate from the CA gets the switch's HELLO
	// and an echo reply; the switch proved its own identity to it.
	nc, err := tls.Dial("tcp", addr, clientTLS(t, ckey, ccert, pki))
	if err != nil {
		t.Fatalf("good client: %v", err)
	}
	tc := &testClient{t: t, c: nc}
	t.Cleanup(func() { nc.Close() })
	tc.hello = tc.recv()
	tc.send(ofp.EncodeHello(1<<ofp.Version10, 1))
	tc.send(ofp.EncodeEchoRequest(ofp.Version10, 4, nil))
	wantMsg(t, tc.recv(), mustHex(t, "01030008 00000004"))

	// A certificate from another CA is refused.
	cfg := clientTLS(t, okey, ocert, pki)
	if c, err := tls.Dial("tcp", addr, cfg); err == nil {
		c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := readMsg(c); err == nil {
			t.Error("client with a certificate from another CA was served")
		}
		c.Close()
	}
	// No certificate at all is refused.
	cfg = clientTLS(t, ckey, ccert, pki)
	cfg.Certificates = nil
	if c, err := tls.Dial("tcp", addr, cfg); err == nil {
		c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := readMsg(c); err == nil {
			t.Error("client without a certificate was served")
		}
		c.Close()
	}
	// Plain OpenFlow on the TLS port gets no HELLO, only a closed socket.
	pc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.Write(ofp.EncodeHello(1<<ofp.Version10, 1))
	pc.SetReadDeadline(time.Now().Add(ioTimeout))
	if msg, err := readMsg(pc); err == nil {
		t.Errorf("plain TCP client read % x from the pssl: port", msg)
	}
}

func TestSSLTargetWithoutConfigurationIsRefused(t *testing.T) {
	dir := t.TempDir()
	b, err := NewBridge("br0", dir, nil, Config{Controllers: []string{"pssl:0:127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := tls.Dial("tcp", psslAddr(t, b), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Fatal("handshake succeeded without any SSL configuration")
	}
}

// controllerServer is an SSL controller that requires a client
// certificate from its CA and presents chain (its certificate first).
func controllerServer(t *testing.T, pki *testPKI, chain []string, key string) net.Listener {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(chain[0], key)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range chain[1:] {
		ders, err := readPEMCerts(f)
		if err != nil {
			t.Fatal(err)
		}
		pair.Certificate = append(pair.Certificate, ders...)
	}
	pool := x509.NewCertPool()
	pool.AddCert(pki.caCert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{pair},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// acceptHello accepts connections until one brings the switch's HELLO,
// and returns how many were dropped before it.
func acceptHello(t *testing.T, ln net.Listener) int {
	t.Helper()
	var msg []byte
	dropped := 0
	for ; ; dropped++ {
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetReadDeadline(time.Now().Add(ioTimeout))
		if msg, err = readMsg(nc); err == nil {
			break
		}
		if dropped == 2 {
			t.Fatalf("no HELLO from the switch: %v", err)
		}
	}
	if msg[1] != 0 { // OFPT_HELLO
		t.Fatalf("first message % x, want HELLO", msg)
	}
	return dropped
}

func TestActiveSSLController(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "pki")
	key, cert := pki.issue(t, "switch")
	ckey, ccert := pki.issue(t, "controller")
	ln := controllerServer(t, pki, []string{ccert}, ckey)

	b, err := NewBridge("br0", dir, nil, Config{
		TLS:         NewTLS(SSLConfig{PrivateKey: key, Certificate: cert, CACert: pki.caFile}),
		Controllers: []string{"ssl:" + ln.Addr().String()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n := acceptHello(t, ln); n != 0 {
		t.Errorf("%d connections dropped before the HELLO", n)
	}
}

func TestBootstrapCACert(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "pki")
	key, cert := pki.issue(t, "switch")
	ckey, ccert := pki.issue(t, "controller")
	// The controller sends its CA certificate after its own, as
	// ovs-controller's --peer-ca-cert does.
	ln := controllerServer(t, pki, []string{ccert, pki.caFile}, ckey)

	caFile := filepath.Join(dir, "bootstrapped-cacert.pem")
	b, err := NewBridge("br0", dir, nil, Config{
		TLS:         NewTLS(SSLConfig{PrivateKey: key, Certificate: cert, CACert: caFile, BootstrapCACert: true}),
		Controllers: []string{"ssl:" + ln.Addr().String()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// The first connection only fetches the CA certificate; the switch
	// drops it and reconnects verified.
	if n := acceptHello(t, ln); n != 1 {
		t.Errorf("%d connections dropped before the HELLO, want the bootstrap one", n)
	}
	got, err := readPEMCerts(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !pki.caCert.Equal(mustParse(t, got[0])) {
		t.Error("bootstrapped file does not hold the controller's CA certificate")
	}
	fi, err := os.Stat(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Errorf("bootstrapped CA file mode %v, want -r--r--r--", fi.Mode().Perm())
	}
}

func TestBootstrapRefusesLeafOnly(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "pki")
	_, ccert := pki.issue(t, "controller")
	tlsCfg := NewTLS(SSLConfig{})
	st := &tlsState{caFile: filepath.Join(dir, "ca.pem"), bootstrap: true}
	ders, err := readPEMCerts(ccert)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlsCfg.bootstrapCA(st, []*x509.Certificate{mustParse(t, ders[0])}); err == nil {
		t.Error("a certificate that is not self-signed was accepted as CA")
	}
	if _, err := os.Stat(st.caFile); !os.IsNotExist(err) {
		t.Errorf("CA file written: %v", err)
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseSSLProtocols(t *testing.T) {
	for _, tc := range []struct {
		in       string
		min, max uint16
		bad      bool
	}{
		{"", tls.VersionTLS12, tls.VersionTLS13, false},
		{"TLSv1,TLSv1.1,TLSv1.2", tls.VersionTLS10, tls.VersionTLS12, false},
		{"tlsv1.2 TLSv1.3", tls.VersionTLS12, tls.VersionTLS13, false},
		{"TLSv1.2", tls.VersionTLS12, tls.VersionTLS12, false},
		{"SSLv3", 0, 0, true},
		{" , ", 0, 0, true},
	} {
		lo, hi, err := parseSSLProtocols(tc.in)
		if (err != nil) != tc.bad || lo != tc.min || hi != tc.max {
			t.Errorf("%q: %x %x %v", tc.in, lo, hi, err)
		}
	}
}

func TestParseSSLTargets(t *testing.T) {
	for _, tc := range []struct {
		target  string
		passive bool
		addr    string
	}{
		{"ssl:10.0.0.1", false, "10.0.0.1:6653"},
		{"ssl:10.0.0.1:6633", false, "10.0.0.1:6633"},
		{"pssl:", true, ":6653"},
		{"pssl:6640", true, ":6640"},
		{"pssl:6640:127.0.0.1", true, "127.0.0.1:6640"},
	} {
		passive, network, addr, err := parseTarget(tc.target)
		if err != nil || passive != tc.passive || network != "ssl" || addr != tc.addr {
			t.Errorf("%s: %v %s %s %v", tc.target, passive, network, addr, err)
		}
	}
}
