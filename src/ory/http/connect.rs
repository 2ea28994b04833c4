//! Connections for hyper's pooled client: TCP (hyper-util's connector: DNS, nodelay), rustls for
//! `https://`, and a check before every request on a reused connection.
//!
//! HTTP/1.1 cannot tell an answer from bytes the server sent before the request: on a reused
//! connection, whatever is waiting is taken for the answer. hyper drops an idle connection that
//! receives bytes or a close, but only once the runtime has seen the socket become readable, and a
//! busy worker may hand the connection out before it has. So before the first byte of a request
//! goes out on a connection that has already carried an answer, [`Guarded`] asks the socket itself
//! (one non-blocking read, past tokio's cached readiness) whether anything is waiting. If so the
//! request fails with [`Unusable`] with nothing sent, and the connection is closed.

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper::http::uri::Scheme;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A reused connection was found closed, reset or holding bytes nobody asked for, just before a
/// request would have gone out on it: nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error("pooled connection unusable before the request went out: {0}")]
pub struct Unusable(String);

/// TLS settings for `https://` upstreams: the Mozilla root certificates (webpki-roots), TLS 1.2
/// and 1.3, HTTP/1.1 by ALPN.
pub fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    tls_config_with(rustls::RootCertStore::from_iter(
        webpki_roots::TLS_SERVER_ROOTS.iter().cloned(),
    ))
}

pub(super) fn tls_config_with(
    roots: rustls::RootCertStore,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Opens connections for the pool; connecting (TCP and TLS) is bounded by the connect timeout.
#[derive(Clone)]
pub struct Connector {
    tcp: HttpConnector,
    tls: TlsConnector,
    timeout: Duration,
}

impl Connector {
    pub fn new(tls: rustls::ClientConfig, timeout: Duration) -> Self {
        let mut tcp = HttpConnector::new();
        // https is ours to handle, on top of the TCP stream.
        tcp.enforce_http(false);
        // Requests go out whole; Nagle would only hold back the next one.
        tcp.set_nodelay(true);
        Self {
            tcp,
            tls: TlsConnector::from(Arc::new(tls)),
            timeout,
        }
    }
}

type Connecting = Pin<Box<dyn Future<Output = io::Result<TokioIo<Guarded>>> + Send>>;

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<Guarded>;
    type Error = io::Error;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tcp.poll_ready(cx).map_err(io::Error::other)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let tcp = self.tcp.call(dst.clone());
        let (tls, timeout) = (self.tls.clone(), self.timeout);
        Box::pin(async move {
            let connect = async {
                let tcp = Socket::new(tcp.await.map_err(io::Error::other)?.into_inner());
                let stream = if dst.scheme() == Some(&Scheme::HTTPS) {
                    let host = dst.host().unwrap_or_default();
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    let name = ServerName::try_from(host.to_owned())
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                    Stream::Tls(Box::new(tls.connect(name, tcp).await?))
                } else {
                    Stream::Plain(tcp)
                };
                Ok(TokioIo::new(Guarded {
                    stream,
                    used: false,
                }))
            };
            tokio::time::timeout(timeout, connect)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))?
        })
    }
}

/// A TCP stream whose reads can, on request, go to the socket even when tokio's cached readiness
/// says nothing is there (it is updated only when the runtime polls for events).
pub struct Socket {
    tcp: TcpStream,
    past_cache: bool,
}

impl Socket {
    fn new(tcp: TcpStream) -> Self {
        Self {
            tcp,
            past_cache: false,
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.tcp).poll_read(cx, buf) {
            Poll::Pending if this.past_cache => {
                // The socket is non-blocking: this read never waits.
                let socket = socket2::SockRef::from(&this.tcp);
                match (&*socket).read(buf.initialize_unfilled()) {
                    Ok(n) => {
                        buf.advance(n);
                        Poll::Ready(Ok(()))
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
                    Err(e) => Poll::Ready(Err(e)),
                }
            }
            other => other,
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

pub enum Stream {
    Plain(Socket),
    Tls(Box<TlsStream<Socket>>),
}

/// One upstream connection, checked before each request once it has carried an answer.
pub struct Guarded {
    stream: Stream,
    /// Bytes have come in since the last write: the next write starts a new request.
    used: bool,
}

impl Guarded {
    fn socket(&mut self) -> &mut Socket {
        match &mut self.stream {
            Stream::Plain(socket) => socket,
            Stream::Tls(tls) => tls.get_mut().0,
        }
    }

    fn read(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match &mut self.stream {
            Stream::Plain(socket) => Pin::new(socket).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }

    /// Whether the connection can carry a new request: nothing waiting on it, not closed. Over
    /// TLS, records without data (session tickets) are fine; only data or a close is not.
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let mut scratch = [0u8; 64];
        let mut buf = ReadBuf::new(&mut scratch);
        self.socket().past_cache = true;
        let polled = self.read(cx, &mut buf);
        self.socket().past_cache = false;
        let unusable =
            |why: String| io::Error::new(io::ErrorKind::ConnectionAborted, Unusable(why));
        match polled {
            Poll::Pending => Ok(()),
            Poll::Ready(Ok(())) if buf.filled().is_empty() => {
                Err(unusable("closed by the server".into()))
            }
            Poll::Ready(Ok(())) => Err(unusable("bytes nobody asked for".into())),
            Poll::Ready(Err(e)) => Err(unusable(e.to_string())),
        }
    }

    fn before_write(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if self.used {
            self.check(cx)?;
            self.used = false;
        }
        Ok(())
    }
}

impl Connection for Guarded {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = this.read(cx, buf);
        if buf.filled().len() > before {
            this.used = true;
        }
        polled
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.before_write(cx)?;
        match &mut this.stream {
            Stream::Plain(socket) => Pin::new(socket).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.before_write(cx)?;
        match &mut this.stream {
            Stream::Plain(socket) => Pin::new(socket).poll_write_vectored(cx, bufs),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Stream::Plain(socket) => socket.is_write_vectored(),
            Stream::Tls(tls) => tls.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(socket) => Pin::new(socket).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(socket) => Pin::new(socket).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;
