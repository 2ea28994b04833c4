//! `serve.trusted_proxies`: the proxies whose `X-Forwarded-For` is believed when counting a client's
//! wrong device codes.

use serde::Deserialize;

use domain::client_ip::{IpNet, parse_trusted};

/// A trusted proxy: a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TrustedProxy(IpNet);

impl TrustedProxy {
    pub fn net(self) -> IpNet {
        self.0
    }
}

impl TryFrom<String> for TrustedProxy {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        parse_trusted(&text)
            .map(Self)
            .ok_or_else(|| format!("`{text}` is not an address or a network (CIDR)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_addresses_are_read_and_anything_else_refused() {
        let read = |s: &str| TrustedProxy::try_from(s.to_string()).map(|p| p.net().to_string());
        assert_eq!(read("10.0.0.0/8").as_deref(), Ok("10.0.0.0/8"));
        assert_eq!(read(" 192.0.2.1 ").as_deref(), Ok("192.0.2.1/32"));
        assert_eq!(read("fd00::/8").as_deref(), Ok("fd00::/8"));
        assert!(read("ingress.local").unwrap_err().contains("ingress.local"));
    }
}
