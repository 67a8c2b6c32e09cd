package outbound

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// guard is the transport's dialer. It resolves the host itself, refuses the
// connection if any resolved address is forbidden, and then dials the vetted
// IPs directly, so a second DNS answer (rebinding) is never consulted.
type guard struct {
	allowPrivate bool
	// privateHosts may resolve to private addresses although allowPrivate
	// is off: the operator's own names (Chatwoot's domain answered by a
	// reverse proxy on the same Docker network), never a tenant's choice.
	privateHosts map[string]bool
	dialer       *net.Dialer
	// trusted dials the vetted addresses of privateHosts, without the
	// socket-level check that would refuse them.
	trusted *net.Dialer
	// lookup is a field so tests can stand in for DNS.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
}

func newGuard(allowPrivate bool, privateHosts []string) *guard {
	g := &guard{
		allowPrivate: allowPrivate,
		privateHosts: map[string]bool{},
		dialer:       &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		trusted:      &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		lookup:       net.DefaultResolver.LookupNetIP,
	}
	for _, h := range privateHosts {
		g.privateHosts[normalHost(h)] = true
	}
	if !allowPrivate {
		// Checked again on the socket's final address, just before
		// connect(2), in case a future change dials a host name here.
		g.dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: cannot check %q", ErrForbiddenAddress, address)
			}
			return forbidden(ap.Addr().String(), ap.Addr())
		}
	}
	return g
}

func (g *guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if g.allowPrivate {
		return g.dialer.DialContext(ctx, network, address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ips, err := g.resolve(ctx, network, host)
	if err != nil {
		return nil, err
	}
	dialer := g.dialer
	if g.privateHosts[normalHost(host)] {
		dialer = g.trusted
	} else {
		for _, ip := range ips {
			if err := forbidden(host, ip); err != nil {
				return nil, err
			}
		}
	}
	var lastErr error
	for _, ip := range ips {
		conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// normalHost compares host names case-insensitively and without the
// trailing dot of a fully qualified name.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

func (g *guard) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	ipNetwork := "ip"
	switch network {
	case "tcp4":
		ipNetwork = "ip4"
	case "tcp6":
		ipNetwork = "ip6"
	}
	ips, err := g.lookup(ctx, ipNetwork, host)
	if err != nil || len(ips) == 0 {
		// The resolver's own error names the DNS server it asked; the hub's
		// answers say only that the name did not resolve.
		return nil, &net.DNSError{Err: "the host name does not resolve", Name: host, IsNotFound: true}
	}
	// LookupNetIP may return IPv4 answers in IPv4-mapped form.
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, nil
}

// forbidden returns an error wrapping ErrForbiddenAddress if ip is not a
// public unicast address.
//
// The message never names the resolved address: it is shown to the tenant
// who typed the host, and would map the hub's internal network for them.
func forbidden(host string, ip netip.Addr) error {
	reason := classify(ip)
	if reason == "" {
		return nil
	}
	if host == ip.String() {
		return fmt.Errorf("%w: the address is %s", ErrForbiddenAddress, reason)
	}
	return fmt.Errorf("%w: %q resolves to an address that is %s", ErrForbiddenAddress, host, reason)
}

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

var blocked = []blockedRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (\"this network\")"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (includes cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("168.63.129.16/32"), "a cloud platform's internal endpoint (Azure)"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated (SIIT)"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64 (reaches IPv4 through a translator)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("2001::/32"), "Teredo tunnelling"},
	{netip.MustParsePrefix("2002::/16"), "6to4 tunnelling"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (private)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// classify says why ip may not be reached, or "" if it may. IPv4-mapped
// addresses are judged by their IPv4 address; the other forms that carry
// or tunnel to an IPv4 address (NAT64, SIIT, 6to4, Teredo) are refused
// whole: which IPv4 host they reach is the translator's business.
func classify(ip netip.Addr) string {
	ip = ip.WithZone("")
	if !ip.IsValid() {
		return "invalid"
	}
	if ip.Is4In6() {
		if r := classify(ip.Unmap()); r != "" {
			return r + " (IPv4-mapped)"
		}
		return ""
	}
	for _, b := range blocked {
		if b.prefix.Contains(ip) {
			return b.reason
		}
	}
	return ""
}
