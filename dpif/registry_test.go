package dpif

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestTypes(t *testing.T) {
	want := []string{"afxdp", "dummy", "dummy-internal", "internal", "system", "tap"}
	if got := Types(); !slices.Equal(got, want) {
		t.Errorf("Types() = %q, want %q", got, want)
	}
}

func TestRegisterTypeRejectsDuplicates(t *testing.T) {
	defer func() {
		if r := recover(); r != "dpif: RegisterType called twice for system" {
			t.Errorf("recover() = %v", r)
		}
	}()
	RegisterType("system", openSystem)
}

func TestOpenPortUnknownType(t *testing.T) {
	_, err := OpenPort("bogus", "refbadtype", nil)
	const want = "could not open network device refbadtype (Address family not supported by protocol)"
	if err == nil || err.Error() != want {
		t.Fatalf("OpenPort = %v, want %q", err, want)
	}
	var oe *OpenError
	if !errors.As(err, &oe) || oe.Name != "refbadtype" || !errors.Is(err, unix.EAFNOSUPPORT) {
		t.Errorf("error %#v does not carry EAFNOSUPPORT for refbadtype", err)
	}
}

func TestOpenPortEmptyName(t *testing.T) {
	_, err := OpenPort("dummy", "", nil)
	if want := "could not open network device  (Invalid argument)"; err == nil || err.Error() != want {
		t.Errorf("OpenPort = %v, want %q", err, want)
	}
}

func TestStrerror(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{unix.ENODEV, "No such device"},
		{unix.EAFNOSUPPORT, "Address family not supported by protocol"},
		{unix.EOPNOTSUPP, "Operation not supported"},
		{unix.EINVAL, "Invalid argument"},
		{unix.EBUSY, "Device or resource busy"},
		{unix.EEXIST, "File exists"},
		{unix.EPERM, "Operation not permitted"},
		{unix.ENOENT, "No such file or directory"},
		{unix.EAGAIN, "Resource temporarily unavailable"},
		{syscall.Errno(0), "Success"},
		{syscall.Errno(4000), "Unknown error 4000"},
		{fmt.Errorf("open: %w", unix.ENODEV), "No such device"},
		{io.EOF, "End of file"},
		{errors.New("peer went away"), "peer went away"},
		{nil, "Success"},
	} {
		if got := Strerror(tc.err); got != tc.want {
			t.Errorf("Strerror(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestPortOpenType(t *testing.T) {
	for _, tc := range []struct{ dp, iface, want string }{
		{"netdev", "", "system"},
		{"netdev", "internal", "tap"},
		{"dummy", "internal", "dummy-internal"},
		{"netdev", "afxdp", "afxdp"},
		{"dummy", "dummy", "dummy"},
	} {
		if got := PortOpenType(tc.dp, tc.iface); got != tc.want {
			t.Errorf("PortOpenType(%q, %q) = %q, want %q", tc.dp, tc.iface, got, tc.want)
		}
	}
}
