//! The service's own count of wrong device codes, in memory: one count per client address (at most
//! `device.tracked_clients` of them, the least recently seen forgotten first) and one for everyone.
//! The rule is the domain's (`domain::device_limit`); each replica keeps its own counts.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use actix_web::HttpRequest;
use domain::client_ip::{IpNet, client_ip};
use domain::device_limit::{Admission, Budgets, Count, Ticket, admit, client_key};
use lru::LruCache;

/// The counts, and the clock their windows are read from.
pub struct WrongCodes {
    budgets: Budgets,
    /// Windows are counted from here: a monotonic clock, so that no change of the wall clock
    /// opens or closes one.
    started: Instant,
    counts: Mutex<Counts>,
}

struct Counts {
    clients: LruCache<IpAddr, Count>,
    global: Count,
}

/// A code counted on its way to Hydra, to give back if Hydra accepts it.
#[derive(Debug)]
pub struct Taken {
    client: IpAddr,
    ticket: Ticket,
}

impl WrongCodes {
    pub fn new(budgets: Budgets, tracked_clients: NonZeroUsize) -> Self {
        Self {
            budgets,
            started: Instant::now(),
            counts: Mutex::new(Counts {
                clients: LruCache::new(tracked_clients),
                global: Count::default(),
            }),
        }
    }

    fn now_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// The counts; a panic elsewhere while they were held leaves them usable (they are plain
    /// numbers, never half written).
    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a code from `client` before it goes to Hydra; `Err(seconds)` when a budget is used up
    /// and Hydra must not be asked.
    pub fn take(&self, client: IpAddr) -> Result<Taken, u64> {
        self.take_at(client_key(client), self.now_secs())
    }

    fn take_at(&self, key: IpAddr, now: u64) -> Result<Taken, u64> {
        let mut counts = self.counts();
        // Looked at without refreshing: a refused client does not push others out.
        let mine = counts.clients.peek(&key).copied().unwrap_or_default();
        match admit(mine, counts.global, now, self.budgets) {
            Admission::Allowed {
                client,
                global,
                ticket,
            } => {
                counts.clients.put(key, client);
                counts.global = global;
                Ok(Taken {
                    client: key,
                    ticket,
                })
            }
            Admission::Refused { retry_after_secs } => Err(retry_after_secs),
        }
    }

    /// Hydra accepted the code: it was no wrong one.
    pub fn give_back(&self, taken: Taken) {
        let mut counts = self.counts();
        counts.global = counts.global.give_back(taken.ticket);
        if let Some(count) = counts.clients.peek_mut(&taken.client) {
            *count = count.give_back(taken.ticket);
        }
    }

    /// Client addresses with a count kept.
    #[cfg(test)]
    pub fn tracked(&self) -> usize {
        self.counts().clients.len()
    }
}

/// The address a request is counted under: the socket's peer, or the client a trusted proxy
/// names in `X-Forwarded-For`.
pub fn client_of(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    if trusted.is_empty() {
        return peer;
    }
    // Lossy, not `to_str`: a proxy appends its peer to the line the client sent, so a line with a
    // byte the client chose outside ASCII still ends in the address the proxy wrote.
    let lines: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    client_ip(peer, &lines, trusted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;
    use actix_web::test::TestRequest;

    fn store(per_client: u32, global: u32, tracked: usize) -> WrongCodes {
        WrongCodes::new(
            Budgets { per_client, global },
            NonZeroUsize::new(tracked).unwrap(),
        )
    }

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn each_client_and_everyone_have_their_budget() {
        let codes = store(2, 3, 100);
        assert!(codes.take_at(ip(1), 5).is_ok());
        assert!(codes.take_at(ip(1), 5).is_ok());
        assert_eq!(codes.take_at(ip(1), 5).unwrap_err(), 55);
        assert!(codes.take_at(ip(2), 5).is_ok());
        // Everyone's budget is used up now, a fresh client included.
        assert_eq!(codes.take_at(ip(3), 59).unwrap_err(), 1);
        assert!(codes.take_at(ip(3), 60).is_ok());
    }

    #[test]
    fn an_accepted_code_is_given_back() {
        let codes = store(1, 10, 100);
        let taken = codes.take_at(ip(1), 0).unwrap();
        assert!(codes.take_at(ip(1), 0).is_err());
        codes.give_back(taken);
        assert!(codes.take_at(ip(1), 0).is_ok());
    }

    #[test]
    fn a_flood_of_addresses_keeps_memory_bounded_dropping_the_oldest() {
        let codes = store(1, u32::MAX, 100);
        assert!(codes.take_at(ip(0), 0).is_ok());
        for n in 1..50 {
            assert!(codes.take_at(ip(n), 0).is_ok());
        }
        // Refused: and not made any newer by it.
        assert!(codes.take_at(ip(0), 0).is_err());
        for n in 50..100_000 {
            assert!(codes.take_at(ip(n), 0).is_ok());
            assert!(codes.tracked() <= 100);
        }
        assert_eq!(codes.tracked(), 100);
        // The oldest went first: the first client's count is gone, the latest ones are kept.
        assert!(codes.take_at(ip(0), 0).is_ok());
        assert!(codes.take_at(ip(99_999), 0).is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_by_network() {
        let codes = store(1, 10, 100);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::2".parse().unwrap();
        assert!(codes.take(a).is_ok());
        assert!(codes.take(b).is_err());
    }

    #[test]
    fn the_header_counts_only_behind_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        let req = |peer: &str| {
            TestRequest::default()
                .peer_addr(peer.parse().unwrap())
                .insert_header(("x-forwarded-for", "6.6.6.6, 198.51.100.4"))
                .to_http_request()
        };
        let behind = req("127.0.0.1:4000");
        assert_eq!(client_of(&behind, &trusted).to_string(), "198.51.100.4");
        assert_eq!(client_of(&behind, &[]).to_string(), "127.0.0.1");
        let direct = req("203.0.113.9:4000");
        assert_eq!(client_of(&direct, &trusted).to_string(), "203.0.113.9");
    }

    #[test]
    fn a_line_with_bytes_outside_ascii_still_gives_the_address_the_proxy_appended() {
        let trusted: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        let value = HeaderValue::from_bytes("é, 198.51.100.4".as_bytes()).unwrap();
        let req = TestRequest::default()
            .peer_addr("127.0.0.1:4000".parse().unwrap())
            .insert_header(("x-forwarded-for", value))
            .to_http_request();
        assert_eq!(client_of(&req, &trusted).to_string(), "198.51.100.4");
    }
}
