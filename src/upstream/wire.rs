//! HTTP/1.1 on plain TCP for `http://` upstreams, which is how the bridge normally reaches Hydra's
//! admin API and Kratos beside it. Every sign-in makes three such calls, so they take the shortest
//! path: the request is written with one syscall from the calling task, the answer is read and parsed
//! in that same task, and keep-alive connections wait in a pool per worker thread (a connection
//! belongs to the runtime that opened it, and each server worker runs its own).
//!
//! The parsing here is pure and tested on its own; [`exchange`] does the I/O.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::TcpStream;

/// Idle connections older than this are closed rather than reused (servers drop idle ones too).
const IDLE_FOR: Duration = Duration::from_secs(60);
/// Idle connections kept per upstream and worker thread.
const MAX_IDLE: usize = 64;
/// The most a response head may take; Hydra's and Kratos's take a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;
/// A chunk-size line (with extensions) or a trailer line longer than this is refused.
const MAX_LINE: usize = 4096;

/// One upstream base URL, resolved once at start: where to connect and what to send as `Host`.
#[derive(Debug)]
pub struct Endpoint {
    /// Tells this endpoint's pooled connections apart from every other's.
    id: u64,
    host: String,
    port: u16,
    authority: String,
}

static NEXT_ENDPOINT: AtomicU64 = AtomicU64::new(1);

impl Endpoint {
    /// `None` for a URL without a host (refused at config load, so never in practice).
    pub fn new(base: &url::Url) -> Option<Self> {
        let host = match base.host()? {
            url::Host::Domain(d) => d.to_string(),
            url::Host::Ipv4(a) => a.to_string(),
            url::Host::Ipv6(a) => a.to_string(),
        };
        let port = base.port_or_known_default()?;
        let authority = match base.port() {
            Some(p) => format!("{}:{p}", base.host_str()?),
            None => base.host_str()?.to_string(),
        };
        Some(Self {
            id: NEXT_ENDPOINT.fetch_add(1, Ordering::Relaxed),
            host,
            port,
            authority,
        })
    }

    /// What `Host` carries: the host, and the port when the URL names one.
    pub fn authority(&self) -> &str {
        &self.authority
    }
}

/// What went wrong before an answer's head arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made: nothing was sent.
    Connect(String),
    /// Connecting took longer than the connect timeout: nothing was sent either.
    ConnectTimeout,
    /// The request may have been sent, and no usable answer came back.
    Io(String),
}

/// What went wrong after the head arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyFailure {
    TooLarge,
    /// Closed or reset before the whole body came.
    Interrupted(String),
    /// The framing (chunked encoding) is broken.
    Invalid(String),
}

/// An answer whose head arrived: its status, and its body or why there is none.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Result<Vec<u8>, BodyFailure>,
}

/// The request bytes: request line, `Host`, the given headers (already validated values), and a JSON
/// body with its length. `Connection` is left out: HTTP/1.1 keeps it alive.
pub fn encode_request(
    method: &str,
    target: &str,
    authority: &str,
    headers: &[(&str, &[u8])],
    json_body: Option<&[u8]>,
) -> Vec<u8> {
    let body_len = json_body.map_or(0, <[u8]>::len);
    let mut out = Vec::with_capacity(256 + target.len() + body_len);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(authority.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    match json_body {
        Some(body) => {
            out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
            out.extend_from_slice(body.len().to_string().as_bytes());
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(body);
        }
        // A PUT without a body still says so; some servers want a length on every PUT.
        None if method == "PUT" || method == "POST" => {
            out.extend_from_slice(b"Content-Length: 0\r\n\r\n")
        }
        None => out.extend_from_slice(b"\r\n"),
    }
    out
}

/// How the body of an answer is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Empty,
    Length(usize),
    Chunked,
    /// No length: the body runs until the server closes the connection.
    UntilClose,
}

/// The parts of a response head the client acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub framing: Framing,
    /// Whether the connection may carry another request after this answer.
    pub keep_alive: bool,
    /// Bytes the head took, blank line included.
    pub len: usize,
}

fn has_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Parses the head at the start of `buf`: `Ok(None)` while it is incomplete. Interim (1xx) heads are
/// skipped. Framing follows RFC 9112 §6.3: chunked wins over a length, conflicting lengths are refused.
/// (The client never sends HEAD, so only the status can make a body empty.)
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, String> {
    let mut offset = 0;
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let len = match response.parse(&buf[offset..]) {
            Ok(httparse::Status::Complete(len)) => len,
            // The whole buffer counts, interim heads included: endless 100s are no way around it.
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                return Err("response head too large".into());
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(format!("invalid response head: {e}")),
        };
        let status = response.code.unwrap_or(0);
        if (100..200).contains(&status) && status != 101 {
            offset += len;
            continue;
        }
        let mut keep_alive = response.version == Some(1);
        let mut chunked = false;
        let mut length: Option<usize> = None;
        for h in response.headers.iter() {
            if h.name.eq_ignore_ascii_case("connection") {
                if has_token(h.value, "close") {
                    keep_alive = false;
                }
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
                if !chunked {
                    return Err("unsupported transfer-encoding".into());
                }
            } else if h.name.eq_ignore_ascii_case("content-length") {
                let v = h.value.trim_ascii();
                if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
                    return Err("invalid content-length".into());
                }
                let n: usize = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or("invalid content-length")?;
                if length.is_some_and(|m| m != n) {
                    return Err("conflicting content-length".into());
                }
                length = Some(n);
            }
        }
        // Both framings at once is how request smuggling starts: decode as chunked, never reuse.
        if chunked && length.is_some() {
            keep_alive = false;
        }
        let framing = if status == 204 || status == 304 {
            Framing::Empty
        } else if chunked {
            Framing::Chunked
        } else if let Some(n) = length {
            Framing::Length(n)
        } else {
            keep_alive = false;
            Framing::UntilClose
        };
        return Ok(Some(Head {
            status,
            framing,
            keep_alive,
            len: offset + len,
        }));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    Size,
    Data(usize),
    DataEnd,
    Trailers,
    Done,
}

/// An incremental decoder for `Transfer-Encoding: chunked`.
#[derive(Debug)]
pub struct Chunked {
    state: ChunkState,
}

impl Default for Chunked {
    fn default() -> Self {
        Self {
            state: ChunkState::Size,
        }
    }
}

fn line(buf: &[u8]) -> Result<Option<(&[u8], usize)>, String> {
    match buf.windows(2).position(|w| w == b"\r\n") {
        Some(i) => Ok(Some((&buf[..i], i + 2))),
        None if buf.len() > MAX_LINE => Err("chunk line too long".into()),
        None => Ok(None),
    }
}

impl Chunked {
    pub fn done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Decodes what it can of `input` into `out`; returns how many bytes of `input` it consumed. The
    /// rest waits for more input.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
        let mut at = 0;
        loop {
            let rest = &input[at..];
            match self.state {
                ChunkState::Done => return Ok(at),
                ChunkState::Size => {
                    let Some((line, used)) = line(rest)? else {
                        return Ok(at);
                    };
                    let digits = line
                        .split(|&b| b == b';')
                        .next()
                        .unwrap_or_default()
                        .trim_ascii();
                    if digits.is_empty()
                        || digits.len() > 15
                        || !digits.iter().all(u8::is_ascii_hexdigit)
                    {
                        return Err("invalid chunk size".into());
                    }
                    let size = std::str::from_utf8(digits)
                        .ok()
                        .and_then(|s| usize::from_str_radix(s, 16).ok())
                        .ok_or("invalid chunk size")?;
                    self.state = if size == 0 {
                        ChunkState::Trailers
                    } else {
                        ChunkState::Data(size)
                    };
                    at += used;
                }
                ChunkState::Data(left) => {
                    if rest.is_empty() {
                        return Ok(at);
                    }
                    let take = left.min(rest.len());
                    out.extend_from_slice(&rest[..take]);
                    at += take;
                    self.state = if take == left {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(left - take)
                    };
                }
                ChunkState::DataEnd => {
                    if rest.len() < 2 {
                        return Ok(at);
                    }
                    if &rest[..2] != b"\r\n" {
                        return Err("chunk not followed by CRLF".into());
                    }
                    at += 2;
                    self.state = ChunkState::Size;
                }
                ChunkState::Trailers => {
                    let Some((line, used)) = line(rest)? else {
                        return Ok(at);
                    };
                    at += used;
                    if line.is_empty() {
                        self.state = ChunkState::Done;
                    }
                }
            }
        }
    }
}

struct Idle {
    endpoint: u64,
    stream: TcpStream,
    since: Instant,
}

thread_local! {
    /// Keep-alive connections of this worker thread, newest last.
    static IDLE: RefCell<Vec<Idle>> = const { RefCell::new(Vec::new()) };
}

/// A pooled connection to `endpoint` that is still open, if there is one.
fn checkout(endpoint: &Endpoint) -> Option<TcpStream> {
    IDLE.with_borrow_mut(|idle| {
        let now = Instant::now();
        idle.retain(|c| now.duration_since(c.since) < IDLE_FOR);
        while let Some(i) = idle.iter().rposition(|c| c.endpoint == endpoint.id) {
            let conn = idle.remove(i);
            if still_open(&conn.stream) {
                return Some(conn.stream);
            }
        }
        None
    })
}

/// An idle connection with something to read has been closed by the server (or sent garbage):
/// either way it cannot carry a request. Only a read-ready one costs a syscall to find out.
fn still_open(stream: &TcpStream) -> bool {
    use futures_util::FutureExt;
    match stream.ready(Interest::READABLE).now_or_never() {
        None => true,
        Some(Ok(_)) => {
            let mut byte = [0u8; 1];
            matches!(stream.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        }
        Some(Err(_)) => false,
    }
}

fn checkin(endpoint: &Endpoint, stream: TcpStream) {
    IDLE.with_borrow_mut(|idle| {
        if idle.iter().filter(|c| c.endpoint == endpoint.id).count() < MAX_IDLE {
            idle.push(Idle {
                endpoint: endpoint.id,
                stream,
                since: Instant::now(),
            });
        }
    });
}

async fn connect(endpoint: &Endpoint, timeout: Duration) -> Result<TcpStream, Failure> {
    let stream = tokio::time::timeout(
        timeout,
        TcpStream::connect((endpoint.host.as_str(), endpoint.port)),
    )
    .await
    .map_err(|_| Failure::ConnectTimeout)?
    .map_err(|e| Failure::Connect(format!("connect: {e}")))?;
    // Requests go out whole in one write; Nagle would only hold back the next one.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Limits for one exchange.
pub struct Limits {
    pub connect_timeout: Duration,
    pub max_body: usize,
}

/// Sends `request` and reads the answer. The caller bounds the whole exchange with its deadline;
/// `head` receives the status as soon as the head is parsed, so that a deadline hit while the body
/// is still coming counts as a body failure.
///
/// A pooled connection that fails before a byte of the answer arrived was most likely closed by the
/// server while idle; an idempotent request then goes once more on a fresh connection.
pub async fn exchange(
    endpoint: &Endpoint,
    request: &[u8],
    idempotent: bool,
    limits: &Limits,
    head: &std::cell::Cell<Option<u16>>,
) -> Result<Answer, Failure> {
    if let Some(stream) = checkout(endpoint) {
        match round_trip(endpoint, stream, request, limits, head).await {
            // Failures after the head are body failures inside an `Ok`, so this one came before it.
            Err(Failure::Io(_)) if idempotent => {}
            other => return other,
        }
    }
    let stream = connect(endpoint, limits.connect_timeout).await?;
    round_trip(endpoint, stream, request, limits, head).await
}

async fn round_trip(
    endpoint: &Endpoint,
    mut stream: TcpStream,
    request: &[u8],
    limits: &Limits,
    status: &std::cell::Cell<Option<u16>>,
) -> Result<Answer, Failure> {
    stream
        .write_all(request)
        .await
        .map_err(|e| Failure::Io(format!("send: {e}")))?;
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let head = loop {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(8192);
        }
        let n = stream
            .read_buf(&mut buf)
            .await
            .map_err(|e| Failure::Io(format!("receive: {e}")))?;
        if n == 0 {
            return Err(Failure::Io(if buf.is_empty() {
                "connection closed before an answer".into()
            } else {
                "connection closed inside the answer's head".into()
            }));
        }
        if let Some(head) = parse_head(&buf).map_err(Failure::Io)? {
            break head;
        }
    };
    status.set(Some(head.status));
    let body = read_body(&mut stream, &mut buf, head, limits.max_body).await;
    // Reuse only a connection whose answer ended exactly where its framing said.
    if let Ok((_, true)) = &body {
        checkin(endpoint, stream);
    }
    Ok(Answer {
        status: head.status,
        body: body.map(|(b, _)| b),
    })
}

/// Reads the body that follows `head` in `buf` (and on the stream). Returns it and whether the
/// connection may be reused.
async fn read_body(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    head: Head,
    max_body: usize,
) -> Result<(Vec<u8>, bool), BodyFailure> {
    let interrupted = |e: std::io::Error| BodyFailure::Interrupted(format!("receive: {e}"));
    buf.drain(..head.len);
    match head.framing {
        Framing::Empty => Ok((Vec::new(), head.keep_alive && buf.is_empty())),
        Framing::Length(n) => {
            if n > max_body {
                return Err(BodyFailure::TooLarge);
            }
            while buf.len() < n {
                buf.reserve(n - buf.len());
                if stream.read_buf(buf).await.map_err(interrupted)? == 0 {
                    return Err(BodyFailure::Interrupted(
                        "connection closed inside the body".into(),
                    ));
                }
            }
            let reusable = head.keep_alive && buf.len() == n;
            buf.truncate(n);
            Ok((std::mem::take(buf), reusable))
        }
        Framing::UntilClose => loop {
            if buf.len() > max_body {
                return Err(BodyFailure::TooLarge);
            }
            buf.reserve(8192);
            if stream.read_buf(buf).await.map_err(interrupted)? == 0 {
                return Ok((std::mem::take(buf), false));
            }
        },
        Framing::Chunked => {
            let mut decoder = Chunked::default();
            let mut body = Vec::new();
            loop {
                let used = decoder.feed(buf, &mut body).map_err(BodyFailure::Invalid)?;
                buf.drain(..used);
                if body.len() > max_body {
                    return Err(BodyFailure::TooLarge);
                }
                if decoder.done() {
                    return Ok((body, head.keep_alive && buf.is_empty()));
                }
                buf.reserve(8192);
                if stream.read_buf(buf).await.map_err(interrupted)? == 0 {
                    return Err(BodyFailure::Interrupted(
                        "connection closed inside the body".into(),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn head(s: &str) -> Result<Option<Head>, String> {
        parse_head(s.as_bytes())
    }

    #[test]
    fn reads_length_chunked_and_close_framing() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (h.status, h.framing, h.keep_alive),
            (200, Framing::Length(12), true)
        );
        let h = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.framing, Framing::Chunked, "chunked wins over a length");
        assert!(
            !h.keep_alive,
            "but a message with both is never followed by another"
        );
        let h = head("HTTP/1.1 200 OK\r\n\r\n").unwrap().unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::UntilClose, false));
        let h = head("HTTP/1.1 204 No Content\r\n\r\n").unwrap().unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::Empty, true));
        let h =
            head("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n")
                .unwrap()
                .unwrap();
        assert!(!h.keep_alive);
        let h = head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!h.keep_alive, "HTTP/1.0 closes unless it says otherwise");
    }

    #[test]
    fn skips_interim_answers() {
        let s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 410 Gone\r\nContent-Length: 2\r\n\r\n{}";
        let h = head(s).unwrap().unwrap();
        assert_eq!((h.status, h.len), (410, s.len() - 2));
    }

    #[test]
    fn refuses_bad_heads() {
        for bad in [
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
        ] {
            assert!(head(bad).is_err(), "{bad:?}");
        }
        assert_eq!(head("HTTP/1.1 200 OK\r\nContent-Le").unwrap(), None);
        let endless_interim = "HTTP/1.1 100 Continue\r\n\r\n".repeat(MAX_HEAD / 20);
        assert!(
            head(&endless_interim).is_err(),
            "interim heads count toward the limit"
        );
        let endless = format!("HTTP/1.1 200 OK\r\nX: {}", "a".repeat(MAX_HEAD + 1));
        assert!(head(&endless).is_err());
    }

    #[test]
    fn encodes_a_request() {
        let r = encode_request(
            "PUT",
            "/admin/x?c=1",
            "hydra:4445",
            &[("Accept", b"application/json")],
            Some(b"{}"),
        );
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "PUT /admin/x?c=1 HTTP/1.1\r\nHost: hydra:4445\r\nAccept: application/json\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
        let r = encode_request("PUT", "/a", "h", &[], None);
        assert!(r.ends_with(b"Content-Length: 0\r\n\r\n"));
        let r = encode_request("GET", "/a", "h", &[], None);
        assert_eq!(r, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
    }

    #[test]
    fn endpoint_knows_where_to_connect_and_what_host_to_name() {
        let e = Endpoint::new(&"http://hydra:4445/".parse().unwrap()).unwrap();
        assert_eq!((e.authority(), e.port), ("hydra:4445", 4445));
        let e = Endpoint::new(&"http://gw/hydra/".parse().unwrap()).unwrap();
        assert_eq!((e.authority(), e.port), ("gw", 80));
        let e = Endpoint::new(&"http://[::1]:1/".parse().unwrap()).unwrap();
        assert_eq!((e.host.as_str(), e.authority.as_str()), ("::1", "[::1]:1"));
    }

    fn chunked(body: &[u8], sizes: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = body;
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].clamp(1, rest.len());
            out.extend_from_slice(format!("{n:x};ext=1\r\n").as_bytes());
            out.extend_from_slice(&rest[..n]);
            out.extend_from_slice(b"\r\n");
            rest = &rest[n..];
            i += 1;
        }
        out.extend_from_slice(b"0\r\nTrailer: x\r\n\r\n");
        out
    }

    #[test]
    fn refuses_broken_chunks() {
        for bad in [&b"zz\r\n"[..], b"3\r\nabcX\r\n", b"-1\r\n", b"\r\n"] {
            let mut d = Chunked::default();
            assert!(d.feed(bad, &mut Vec::new()).is_err(), "{bad:?}");
        }
        let mut d = Chunked::default();
        assert!(d.feed(&[b'1'; MAX_LINE + 1], &mut Vec::new()).is_err());
    }

    proptest! {
        /// However the chunked body is cut into reads, the decoder gives back the body, consumes
        /// exactly the encoding and leaves what follows it.
        #[test]
        fn chunked_decoding_survives_any_split(
            body in proptest::collection::vec(any::<u8>(), 0..600),
            sizes in proptest::collection::vec(1usize..200, 1..5),
            cuts in proptest::collection::vec(1usize..64, 1..40),
        ) {
            let mut wire = chunked(&body, &sizes);
            let encoded_len = wire.len();
            wire.extend_from_slice(b"NEXT");
            let mut decoder = Chunked::default();
            let mut out = Vec::new();
            let mut pending: Vec<u8> = Vec::new();
            let mut fed = 0;
            let mut consumed = 0;
            let mut cut = cuts.iter().cycle();
            while !decoder.done() {
                prop_assert!(fed < wire.len(), "ran out of input before the end");
                let n = (*cut.next().unwrap()).min(wire.len() - fed);
                pending.extend_from_slice(&wire[fed..fed + n]);
                fed += n;
                let used = decoder.feed(&pending, &mut out).unwrap();
                pending.drain(..used);
                consumed += used;
            }
            prop_assert_eq!(out, body);
            prop_assert_eq!(consumed, encoded_len);
        }

        /// A head split anywhere parses to the same thing once complete, and never before.
        #[test]
        fn heads_parse_the_same_however_they_arrive(split in 0usize..90) {
            let s = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n";
            let split = split.min(s.len());
            let early = parse_head(&s[..split]).unwrap();
            if split < s.len() {
                prop_assert_eq!(early, None);
            }
            let full = parse_head(s).unwrap().unwrap();
            prop_assert_eq!(full.len, s.len());
            prop_assert_eq!(full.framing, Framing::Length(17));
        }
    }
}
