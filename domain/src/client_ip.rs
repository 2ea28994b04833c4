//! Which address a request comes from, for counting it: the socket's peer, or, when that peer is a
//! trusted proxy, the right-most address in `X-Forwarded-For` that is not one. Addresses left of it
//! were written by whoever sent the request, and are never believed.

use std::net::{IpAddr, SocketAddr};

pub use ipnet::IpNet;

/// The client's address. `forwarded_for` holds the `X-Forwarded-For` header lines in the order
/// they came (each may list several addresses); it is read only when `peer` is in `trusted`.
///
/// Right to left, each trusted address hands over to the one before it; the first address that is
/// not trusted is the client. An entry that is no address stops the walk at the trusted hop that
/// wrote it, and a list of trusted addresses only gives its left-most one.
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(&client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .rev()
        .flat_map(|line| line.rsplit(','))
        .map(str::trim);
    for hop in hops {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// IPv4 addresses that a dual-stack socket shows as IPv6 (`::ffff:1.2.3.4`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// A trusted proxy as configured: a CIDR (`10.0.0.0/8`) or one address. IPv4 written in its
/// IPv6-mapped form (`::ffff:10.0.0.1`) becomes IPv4, as peers are compared.
pub fn parse_trusted(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
        .map(|net| canonical_net(net.trunc()))
}

fn canonical_net(net: IpNet) -> IpNet {
    let IpNet::V6(v6) = net else {
        return net;
    };
    match (v6.addr().to_ipv4_mapped(), v6.prefix_len().checked_sub(96)) {
        (Some(v4), Some(prefix)) => ipnet::Ipv4Net::new(v4, prefix).map_or(net, IpNet::V4),
        _ => net,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| parse_trusted(s).unwrap()).collect()
    }

    #[test]
    fn a_trusted_proxy_in_mapped_form_is_the_ipv4_one() {
        assert_eq!(parse_trusted("::ffff:10.0.0.1"), parse_trusted("10.0.0.1"));
        assert_eq!(
            parse_trusted("::ffff:10.0.0.0/104"),
            parse_trusted("10.0.0.0/8")
        );
        let trusted = nets(&["::ffff:127.0.0.1"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &["198.51.100.4"], &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            parse_trusted("2001:db8::/32").unwrap().to_string(),
            "2001:db8::/32"
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.1.1.1"], &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.1.1.1"], &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "192.0.2.7"]);
        // The client forged the first entry; the ingress appended what it saw.
        let header = ["6.6.6.6, 198.51.100.4, 10.1.1.1"];
        assert_eq!(
            client_ip(ip("10.0.0.2"), &header, &trusted),
            ip("198.51.100.4")
        );
        // Several header lines read as one list, in order.
        let lines = ["6.6.6.6", "198.51.100.4:4711", "192.0.2.7"];
        assert_eq!(
            client_ip(ip("10.0.0.2"), &lines, &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["[2001:db8::1]:80"], &trusted),
            ip("2001:db8::1")
        );
        // No header, or only proxies: the left-most trusted hop.
        assert_eq!(client_ip(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["10.9.9.9, 10.0.0.3"], &trusted),
            ip("10.9.9.9")
        );
        // Garbage stops at the trusted hop that passed it on.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["1.2.3.4, junk, 10.0.0.3"], &trusted),
            ip("10.0.0.3")
        );
        assert_eq!(client_ip(ip("10.0.0.2"), &[""], &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn mapped_addresses_are_ipv4_and_config_takes_cidrs_and_addresses() {
        let trusted = nets(&["127.0.0.1"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &["::ffff:198.51.100.4"], &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            parse_trusted("10.1.2.3/8")
                .map(|n| n.to_string())
                .as_deref(),
            Some("10.0.0.0/8")
        );
        assert_eq!(
            parse_trusted("::1").map(|n| n.to_string()).as_deref(),
            Some("::1/128")
        );
        for bad in ["", "10.0.0.0/33", "proxy.local", "10.0.0"] {
            assert_eq!(parse_trusted(bad), None, "{bad}");
        }
    }

    fn any_ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u8; 16]>().prop_map(IpAddr::from),
        ]
    }

    proptest! {
        /// Whatever a client writes into the header, it can only name itself as an address the
        /// trusted proxies did not append; without trusted proxies the header changes nothing.
        #[test]
        fn the_header_never_lets_a_client_choose_past_the_trusted_hops(
            forged in proptest::collection::vec(any_ip(), 0..4),
            junk in "\\PC{0,20}",
            real in any_ip(),
            proxies in 0usize..3,
        ) {
            let trusted = nets(&["10.0.0.0/8"]);
            let real_is_proxy = trusted[0].contains(&canonical(real));
            let mut hops: Vec<String> = forged.iter().map(IpAddr::to_string).collect();
            hops.push(junk);
            // Each proxy appends who it got the request from; the first one saw the client.
            hops.push(real.to_string());
            hops.extend((1..proxies).map(|i| format!("10.0.0.{i}")));
            let line = hops.join(", ");
            let peer = if proxies == 0 { real } else { ip("10.0.0.99") };
            let line_ref = if proxies == 0 { vec![] } else { vec![line.as_str()] };
            let found = client_ip(peer, &line_ref, &trusted);
            if !real_is_proxy {
                prop_assert_eq!(found, canonical(real));
            }
            prop_assert_eq!(client_ip(real, &[line.as_str()], &[]), canonical(real));
        }
    }
}
