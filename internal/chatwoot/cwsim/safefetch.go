package cwsim

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// ssrfBlocked are the ranges ssrf_filter refuses (its IPV4_BLACKLIST and
// IPV6_BLACKLIST): loopback, private, link-local, shared, documentation,
// multicast and reserved space.
var ssrfBlocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/29", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"::1/128", "::/128", "64:ff9b::/96", "100::/64", "2001::/32", "2001:10::/28", "2001:db8::/32",
		"2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

func blockedAddr(a netip.Addr) bool {
	a = a.Unmap() // ::ffff:10.0.0.1 is checked as 10.0.0.1, as ssrf_filter does
	for _, p := range ssrfBlocked {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// refusal is SafeFetch's SSRF check for one webhook URL of kind (the
// webhook_type): "" when the POST may go out, else the exception message
// Webhooks::Trigger stores as the message's external_error. It only bites
// with Options.RefusePrivateNetwork, on 4.14+, and honours the opt-outs of
// the version played.
func (s *Sim) refusal(ctx context.Context, kind, rawURL string) string {
	if !s.opts.RefusePrivateNetwork || !s.ver.safeFetch() {
		return ""
	}
	if s.opts.SafeFetchAllowPrivateNetwork && s.ver.privateNetworkOptOut() {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "" // the request itself fails with the parser's message
	}
	host := u.Hostname()
	policy := s.ver.privateNetworkPolicy() && slices.Contains(s.opts.PrivateNetworkAllowedTypes, kind) &&
		(len(s.opts.AllowedPrivateHosts) > 0 || len(s.opts.AllowedPrivateCIDRs) > 0)
	if policy && slices.ContainsFunc(s.opts.AllowedPrivateHosts, func(h string) bool { return strings.EqualFold(h, host) }) {
		return ""
	}
	addrs, err := s.resolve(ctx, host)
	if err != nil || len(addrs) == 0 {
		return "Could not resolve hostname '" + host + "'"
	}
	for _, a := range addrs {
		if !blockedAddr(a) {
			return ""
		}
		if policy && slices.ContainsFunc(s.opts.AllowedPrivateCIDRs, func(p netip.Prefix) bool { return p.Contains(a.Unmap()) }) {
			return ""
		}
	}
	return "Hostname '" + host + "' has no public ip addresses"
}

func (s *Sim) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a}, nil
	}
	if s.opts.Resolve != nil {
		return s.opts.Resolve(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}
