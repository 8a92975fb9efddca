package ofproto

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// SSLConfig is the PKI configuration of OpenFlow connections over TLS
// ("ssl:" and "pssl:" targets). It comes from the daemon's --private-key,
// --certificate, --ca-cert, --bootstrap-ca-cert, --peer-ca-cert,
// --ssl-protocols and --ssl-ciphers options, overridden by the database's
// SSL row (ovs-vsctl set-ssl) when there is one, as in ovs-vswitchd.
type SSLConfig struct {
	// PrivateKey and Certificate are PEM files: our identity.
	PrivateKey  string
	Certificate string
	// CACert is the PEM file of the CA that peers' certificates must be
	// signed by; "none" disables peer verification.
	CACert string
	// BootstrapCACert: if CACert does not exist yet, the first TLS
	// connection to a controller saves the self-signed top of the chain
	// the controller presents into CACert and reconnects verified.
	BootstrapCACert bool
	// PeerCACert is an extra PEM certificate sent after ours, so that peers
	// can bootstrap their CA certificate from us.
	PeerCACert string
	// Protocols is OVS's --ssl-protocols list ("TLSv1,TLSv1.1,TLSv1.2";
	// TLSv1.3 is accepted too). Empty means TLS 1.2 and 1.3.
	Protocols string
	// Ciphers is OVS's --ssl-ciphers. OpenSSL cipher strings have no
	// crypto/tls equivalent: the value is recorded and Go's suites are used.
	Ciphers string
}

// handshakeTimeout bounds a TLS handshake, so a peer that connects and
// says nothing cannot hold a goroutine and a descriptor for ever.
const handshakeTimeout = 10 * time.Second

// TLS holds the TLS settings of all bridges, as OVS's stream-ssl module
// keeps one configuration for the whole process. Files are re-read when
// their name or modification time changes, so rotated certificates take
// effect on the next connection. A nil *TLS means SSL is not configured.
type TLS struct {
	mu       sync.Mutex // guards everything below
	cfg      SSLConfig
	loaded   *tlsState
	stamp    [4]fileStamp // key, cert, CA, peer CA of loaded
	lastErr  string       // last configuration error logged, to log once
	warnedCi bool
}

// tlsState is one loaded configuration.
type tlsState struct {
	cert      tls.Certificate
	roots     *x509.CertPool // nil when verification is off or bootstrapping
	verify    bool           // false with ca_cert "none"
	bootstrap bool           // CA cert file missing and bootstrapping allowed
	caFile    string
	minVer    uint16
	maxVer    uint16
}

// fileStamp identifies one version of a file.
type fileStamp struct {
	name  string
	mtime time.Time
	size  int64
}

// NewTLS returns TLS settings starting from cfg.
func NewTLS(cfg SSLConfig) *TLS { return &TLS{cfg: cfg} }

// Set replaces the configuration; connections already open keep theirs.
func (t *TLS) Set(cfg SSLConfig) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cfg != cfg {
		t.cfg = cfg
		t.loaded = nil
	}
}

// Config returns the current configuration.
func (t *TLS) Config() SSLConfig {
	if t == nil {
		return SSLConfig{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg
}

var errNoSSL = errors.New("SSL is not configured (private key, certificate and CA certificate are required)")

// state loads the configuration, or returns the cached one when no file
// changed. Configuration errors are logged once each, as they would
// otherwise repeat on every reconnection attempt.
func (t *TLS) state() (*tlsState, error) {
	if t == nil {
		return nil, errNoSSL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	cfg := t.cfg
	stamp := [4]fileStamp{stampOf(cfg.PrivateKey), stampOf(cfg.Certificate), stampOf(cfg.CACert), stampOf(cfg.PeerCACert)}
	if t.loaded != nil && stamp == t.stamp {
		return t.loaded, nil
	}
	st, err := loadTLS(cfg)
	if err != nil {
		if msg := err.Error(); msg != t.lastErr {
			connLog.Err("%s", msg)
			t.lastErr = msg
		}
		return nil, err
	}
	if cfg.Ciphers != "" && !t.warnedCi {
		connLog.Info("--ssl-ciphers %q: cipher suites are chosen by Go's crypto/tls", cfg.Ciphers)
		t.warnedCi = true
	}
	t.loaded, t.stamp, t.lastErr = st, stamp, ""
	return st, nil
}

func stampOf(name string) fileStamp {
	s := fileStamp{name: name}
	if fi, err := os.Stat(name); err == nil {
		s.mtime, s.size = fi.ModTime(), fi.Size()
	}
	return s
}

// loadTLS reads the files cfg names, checking what OVS checks before it
// opens an SSL connection.
func loadTLS(cfg SSLConfig) (*tlsState, error) {
	switch {
	case cfg.PrivateKey == "":
		return nil, errors.New("Private key must be configured to use SSL")
	case cfg.Certificate == "":
		return nil, errors.New("Certificate must be configured to use SSL")
	case cfg.CACert == "":
		return nil, errors.New("CA certificate must be configured to use SSL")
	}
	minV, maxV, err := parseSSLProtocols(cfg.Protocols)
	if err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(cfg.Certificate, cfg.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("SSL private key %s and certificate %s: %w", cfg.PrivateKey, cfg.Certificate, err)
	}
	if cfg.PeerCACert != "" {
		ders, err := readPEMCerts(cfg.PeerCACert)
		if err != nil {
			return nil, err
		}
		pair.Certificate = append(pair.Certificate, ders...)
	}
	st := &tlsState{cert: pair, verify: true, caFile: cfg.CACert, minVer: minV, maxVer: maxV}
	switch _, statErr := os.Stat(cfg.CACert); {
	case cfg.CACert == "none":
		st.verify = false
		connLog.Warn("Peer certificate validation disabled (this is a security risk)")
	case cfg.BootstrapCACert && errors.Is(statErr, os.ErrNotExist):
		st.bootstrap = true
	default:
		ders, err := readPEMCerts(cfg.CACert)
		if err != nil {
			return nil, err
		}
		st.roots = x509.NewCertPool()
		for _, der := range ders {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("CA certificate %s: %w", cfg.CACert, err)
			}
			st.roots.AddCert(c)
		}
	}
	return st, nil
}

// readPEMCerts returns the DER of every certificate in a PEM file.
func readPEMCerts(name string) ([][]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read certificates: %w", err)
	}
	var ders [][]byte
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			ders = append(ders, blk.Bytes)
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("%s: no certificate found", name)
	}
	return ders, nil
}

// sslProtocols maps OVS's protocol names (case-insensitive) to versions.
var sslProtocols = map[string]uint16{
	"tlsv1":   tls.VersionTLS10,
	"tlsv1.1": tls.VersionTLS11,
	"tlsv1.2": tls.VersionTLS12,
	"tlsv1.3": tls.VersionTLS13,
}

// parseSSLProtocols turns an --ssl-protocols list into the range of
// versions to allow. crypto/tls takes a range, not a set, so a list with a
// gap ("TLSv1,TLSv1.2") allows the versions in between too.
func parseSSLProtocols(s string) (minVer, maxVer uint16, err error) {
	if s == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(words) == 0 {
		return 0, 0, errors.New("SSL protocol settings invalid")
	}
	for _, w := range words {
		v, ok := sslProtocols[strings.ToLower(w)]
		if !ok {
			return 0, 0, fmt.Errorf("%s: SSL protocol not recognized", w)
		}
		if minVer == 0 || v < minVer {
			minVer = v
		}
		maxVer = max(maxVer, v)
	}
	return minVer, maxVer, nil
}

// verifyChain checks the peer's chain against the CA roots. Like OVS it
// checks the signature chain only: controllers are named by IP address,
// so there is no host name to match, and OVS PKI certificates carry no
// extended key usage to insist on.
func (st *tlsState) verifyChain(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	if len(rawCerts) == 0 {
		return errors.New("peer presented no certificate")
	}
	certs := make([]*x509.Certificate, len(rawCerts))
	for i, raw := range rawCerts {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return fmt.Errorf("peer certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         st.roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("peer certificate not signed by the configured CA: %w", err)
	}
	return nil
}

// clientConfig is the crypto/tls configuration of an "ssl:" connection.
func (st *tlsState) clientConfig(host string) *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{st.cert},
		MinVersion:   st.minVer,
		MaxVersion:   st.maxVer,
		// The chain is checked by verifyChain, without a host name.
		InsecureSkipVerify: true,
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host // SNI, as OVS sends for names
	}
	if st.verify && !st.bootstrap {
		cfg.VerifyPeerCertificate = st.verifyChain
	}
	return cfg
}

// serverConfig is the crypto/tls configuration of a "pssl:" connection.
// Clients must present a certificate signed by the CA: without a CA
// certificate yet (bootstrapping) nobody is accepted, as in OVS.
func (st *tlsState) serverConfig() (*tls.Config, error) {
	if st.bootstrap {
		return nil, fmt.Errorf("CA certificate %s not bootstrapped yet: refusing SSL clients", st.caFile)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{st.cert},
		MinVersion:   st.minVer,
		MaxVersion:   st.maxVer,
		ClientAuth:   tls.NoClientCert,
	}
	if st.verify {
		cfg.ClientAuth = tls.RequireAnyClientCert
		cfg.VerifyPeerCertificate = st.verifyChain
	}
	return cfg, nil
}

// errBootstrapped ends the connection that delivered the CA certificate,
// so that the next attempt is verified against it.
var errBootstrapped = errors.New("CA certificate bootstrapped; reconnecting")

// dialTLS opens an "ssl:" connection to addr: TCP, then the handshake.
// In bootstrap mode a successful handshake saves the peer's CA
// certificate and the connection is dropped.
func (t *TLS) dialTLS(ctx context.Context, addr string) (net.Conn, error) {
	st, err := t.state()
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: handshakeTimeout},
		Config:    st.clientConfig(host),
	}
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if st.bootstrap {
		err := t.bootstrapCA(st, nc.(*tls.Conn).ConnectionState().PeerCertificates)
		nc.Close()
		if err != nil {
			return nil, err
		}
		return nil, errBootstrapped
	}
	return nc, nil
}

// bootstrapCA saves the top of the peer's chain as the CA certificate. The
// file is created exclusively: if another process bootstrapped it first,
// that one is used.
func (t *TLS) bootstrapCA(st *tlsState, chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return errors.New("could not bootstrap CA cert: no certificate presented by peer")
	}
	ca := chain[len(chain)-1]
	if err := ca.CheckSignatureFrom(ca); err != nil {
		if len(chain) < 2 {
			return fmt.Errorf("could not bootstrap CA cert: obtained certificate is not self-signed (%v); only one certificate was received, so probably the peer is not configured to send its CA certificate", err)
		}
		return fmt.Errorf("could not bootstrap CA cert: obtained certificate is not self-signed (%v)", err)
	}
	f, err := os.OpenFile(st.caFile, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if errors.Is(err, os.ErrExist) {
		connLog.Info("reading CA cert %s created by another process", st.caFile)
		t.invalidate()
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not bootstrap CA cert: %w", err)
	}
	werr := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(st.caFile)
		return fmt.Errorf("could not bootstrap CA cert: writing %s: %w", st.caFile, werr)
	}
	connLog.Info("successfully bootstrapped CA cert to %s", st.caFile)
	t.invalidate()
	return nil
}

// invalidate forces the next connection to re-read the files.
func (t *TLS) invalidate() {
	t.mu.Lock()
	t.loaded = nil
	t.mu.Unlock()
}

// tlsListener is a "pssl:" listener: it accepts TCP connections and
// completes each handshake in the connection's own goroutine (see
// Bridge.serveTLS), so one slow client cannot hold up the others.
type tlsListener struct {
	net.Listener
	t *TLS
}

// handshakeServer runs the server side of the handshake on nc, with the
// configuration current at accept time.
func (t *TLS) handshakeServer(nc net.Conn) (net.Conn, error) {
	st, err := t.state()
	if err != nil {
		return nil, err
	}
	cfg, err := st.serverConfig()
	if err != nil {
		return nil, err
	}
	tc := tls.Server(nc, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// sslTargetKinds are the controller target kinds that use TLS.
var sslTargetKinds = []string{"ssl", "pssl"}

// tlsNetwork is the network name parseTarget gives a target kind: "ssl"
// for the TLS kinds, so listen and dial know to add TLS, else "tcp".
func tlsNetwork(kind string) string {
	if slices.Contains(sslTargetKinds, kind) {
		return "ssl"
	}
	return "tcp"
}
