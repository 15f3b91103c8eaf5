//! Real servers and clients on 127.0.0.1 for the tests that go over TCP.
//!
//! The server is hyper 1 with `hyper_util`'s automatic HTTP/1.1 / HTTP/2
//! (prior knowledge) connection builder, one tokio task per connection, so a
//! panicking service only takes its own connection (HTTP/1.1) or stream
//! (HTTP/2) down. The app behind the layer sets a fixed mix of necessary,
//! statistics, marketing and unknown cookies and echoes the `Cookie` headers
//! that reached it, so a test sees both sides of the wire.

use std::error::Error as StdError;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tower::{service_fn, Layer, Service};
use tower_cookie_consent::CookieConsentLayer;

use super::{filter_only, seed_policy};

/// The error type of the test app.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// What a `Set-Cookie` line of [`PAGE_COOKIES`] is, under [`seed_policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Necessary,
    Statistics,
    Marketing,
    /// A name the policy does not list: stripped under the default policy.
    Unknown,
    /// A deletion of a marketing cookie: always kept.
    Deletion,
}

/// The `Set-Cookie` lines every page of [`app`] sends, in this order.
pub const PAGE_COOKIES: [(&str, Kind); 8] = [
    ("sessionid=s3cr3t; Path=/; HttpOnly", Kind::Necessary),
    (
        "_pk_id.1.1fff=a1b2c3d4; Path=/; Max-Age=33696000",
        Kind::Statistics,
    ),
    ("_hjid=hj-42; Path=/; Max-Age=31536000", Kind::Marketing),
    ("__hssc=12.1.1700000000000; Path=/", Kind::Marketing),
    ("_pk_ses.1.1fff=1; Path=/; Max-Age=1800", Kind::Statistics),
    ("tracker=xyz; Path=/", Kind::Unknown),
    ("__hstc=; Path=/; Max-Age=0", Kind::Deletion),
    ("csrftoken=tok3n; Path=/; SameSite=Lax", Kind::Necessary),
];

/// The [`PAGE_COOKIES`] lines a visitor who granted these categories
/// receives, in order.
pub fn expected_page_cookies(statistics: bool, marketing: bool) -> Vec<&'static str> {
    PAGE_COOKIES
        .iter()
        .filter(|(_, kind)| match kind {
            Kind::Necessary | Kind::Deletion => true,
            Kind::Statistics => statistics,
            Kind::Marketing => marketing,
            Kind::Unknown => false,
        })
        .map(|(line, _)| *line)
        .collect()
}

/// The consent line `/choose/{value}` appends after [`PAGE_COOKIES`].
pub fn choose_line(value: &str) -> String {
    format!("cookies_preferences={value}; Path=/; Max-Age=31536000")
}

/// The consent deletion `/forget` appends after [`PAGE_COOKIES`].
pub const FORGET_LINE: &str = "cookies_preferences=; Path=/; Max-Age=0";

/// The `Set-Cookie` lines of `/odd`: bytes outside ASCII in names and values.
pub const ODD_COOKIES: [&[u8]; 6] = [
    b"sessionid=\x80\xff; Path=/",
    b"_pk_id.9.odd=caf\xe9; Path=/",
    // NBSP is a name byte, not a space: this is not `__hs_opt_out`.
    b"__hs_opt_out\xa0=1; Path=/",
    b"\xe9t\xe9=1; Path=/",
    b"_hjid=\t\xfe\t; Path=/",
    // Nameless: a browser stores it as `_pk_id.1.x=y`.
    b"=_pk_id.1.x=y; Path=/",
];

/// The panic payload of `/panic`, so the test panic hook can stay quiet
/// about it and only about it.
#[derive(Debug)]
pub struct DeliberatePanic;

/// Keeps the deliberate panics of `/panic` out of the test output; every
/// other panic still reaches the previous hook.
pub fn silence_deliberate_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<DeliberatePanic>() {
                previous(info);
            }
        }));
    });
}

/// The body [`app`] answers with: the method, path and `x-request-id`, then
/// every `Cookie` header value it received on a line of its own, then
/// `filler` bytes so that bodies differ in length.
pub fn expected_body(path: &str, id: &str, cookies: &[&[u8]], filler: usize) -> Vec<u8> {
    let mut body = format!("GET {path} id={id} cookie-headers={}\n", cookies.len()).into_bytes();
    for cookie in cookies {
        body.extend_from_slice(cookie);
        body.push(b'\n');
    }
    body.extend((0..filler).map(|i| b'a' + (i % 26) as u8));
    body
}

/// The app behind the layer.
///
/// Every path sets [`PAGE_COOKIES`] and an `x-other: kept` header, and tells
/// in `x-cookie-headers` how many `Cookie` headers arrived. Besides:
/// `/choose/{value}` also sets the consent cookie to `value`, `/forget`
/// deletes it, `/odd` sets [`ODD_COOKIES`] instead, `/error` fails and
/// `/panic` panics. An `x-filler: n` request header appends `n` bytes to the
/// body.
pub fn app() -> impl Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = BoxError,
    Future = impl Future<Output = Result<Response<Full<Bytes>>, BoxError>> + Send,
> + Clone
       + Send
       + Sync
       + 'static {
    service_fn(handle)
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, BoxError> {
    let path = req.uri().path();
    match path {
        "/error" => return Err("deliberate error".into()),
        "/panic" => std::panic::panic_any(DeliberatePanic),
        _ => {}
    }
    let id = req
        .headers()
        .get("x-request-id")
        .map_or("-", |v| v.to_str().unwrap_or("?"));
    let filler = req
        .headers()
        .get("x-filler")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let cookies: Vec<&[u8]> = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let body = expected_body(path, id, &cookies, filler);

    let mut res = Response::new(Full::new(Bytes::from(body)));
    let headers = res.headers_mut();
    headers.insert("x-other", HeaderValue::from_static("kept"));
    headers.insert("x-cookie-headers", HeaderValue::from(cookies.len()));
    if path == "/odd" {
        for line in ODD_COOKIES {
            headers.append(header::SET_COOKIE, HeaderValue::from_bytes(line)?);
        }
        return Ok(res);
    }
    for (line, _) in PAGE_COOKIES {
        headers.append(header::SET_COOKIE, HeaderValue::from_static(line));
    }
    if let Some(value) = path.strip_prefix("/choose/") {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::try_from(choose_line(value))?,
        );
    } else if path == "/forget" {
        headers.append(header::SET_COOKIE, HeaderValue::from_static(FORGET_LINE));
    }
    Ok(res)
}

/// How the server's connection tasks ended.
#[derive(Debug, Default)]
pub struct ConnStats {
    accepted: AtomicUsize,
    closed_cleanly: AtomicUsize,
    failed: AtomicUsize,
    panicked: AtomicUsize,
}

impl ConnStats {
    /// Connections accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Connections whose `serve_connection` ended without error.
    pub fn closed_cleanly(&self) -> usize {
        self.closed_cleanly.load(Ordering::SeqCst)
    }

    /// Connections whose `serve_connection` returned an error, e.g. because
    /// the service failed on an HTTP/1.1 request.
    pub fn failed(&self) -> usize {
        self.failed.load(Ordering::SeqCst)
    }

    /// Connection tasks that panicked: a panic in the service future of an
    /// HTTP/1.1 connection unwinds its connection task.
    pub fn panicked(&self) -> usize {
        self.panicked.load(Ordering::SeqCst)
    }
}

/// A server listening on 127.0.0.1; dropping it stops accepting.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<ConnStats>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves `svc` on an ephemeral port of 127.0.0.1.
pub async fn serve<S, B>(svc: S) -> Server
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let stats = Arc::new(ConnStats::default());
    let accept = tokio::spawn({
        let stats = stats.clone();
        async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            // An accept error ends the server: the clients then fail fast
            // instead of the loop spinning.
            while let Ok((stream, _)) = listener.accept().await {
                stats.accepted.fetch_add(1, Ordering::SeqCst);
                // Small complete responses: no reason to wait for an ACK
                // (Nagle) between header and body segments.
                let _ = stream.set_nodelay(true);
                let builder = builder.clone();
                let svc = TowerToHyperService::new(svc.clone());
                let conn = tokio::spawn(async move {
                    builder
                        .serve_connection(TokioIo::new(stream), svc)
                        .await
                        .is_ok()
                });
                let stats = stats.clone();
                tokio::spawn(async move {
                    let counter = match conn.await {
                        Ok(true) => &stats.closed_cleanly,
                        Ok(false) => &stats.failed,
                        Err(e) if e.is_panic() => &stats.panicked,
                        Err(_) => return,
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                });
            }
        }
    });
    Server {
        addr,
        stats,
        accept,
    }
}

/// [`app`] behind the layer with the seed policy's cookies, served.
///
/// These suites check the wire and the `Set-Cookie` filter: the app echoes
/// the request's `Cookie` headers byte for byte, and the expected answers
/// are computed from the lines alone. So request-side hiding and purge are
/// off here; `tests/tcp_revocation.rs` runs them over TCP.
pub async fn serve_app() -> Server {
    let policy = filter_only(seed_policy());
    serve(CookieConsentLayer::new(policy).layer(app())).await
}

async fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let _ = stream.set_nodelay(true);
    stream
}

/// An HTTP/1.1 client connection (keep-alive) to `addr`.
pub async fn connect_http1(addr: SocketAddr) -> http1::SendRequest<Empty<Bytes>> {
    let stream = connect(addr).await;
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP/1.1 handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}

/// An HTTP/2 client connection to `addr`, without TLS (h2c, prior
/// knowledge).
pub async fn connect_http2(addr: SocketAddr) -> http2::SendRequest<Empty<Bytes>> {
    let stream = connect(addr).await;
    let (sender, conn) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
        .await
        .expect("HTTP/2 handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}

/// A GET request for `path` with one `Cookie` header per entry of
/// `cookies`, in order.
///
/// HTTP/2 needs the scheme and authority (`:scheme`, `:authority`); HTTP/1.1
/// gets the origin form and a `Host` header, as a browser sends them.
pub fn get(addr: SocketAddr, http2: bool, path: &str, cookies: &[&[u8]]) -> Request<Empty<Bytes>> {
    let mut req = if http2 {
        Request::get(format!("http://{addr}{path}"))
    } else {
        Request::get(path).header(header::HOST, addr.to_string())
    };
    for cookie in cookies {
        req = req.header(
            header::COOKIE,
            HeaderValue::from_bytes(cookie).expect("test Cookie must be a valid header value"),
        );
    }
    req.body(Empty::new()).expect("valid request")
}

/// A response as the client received it, body collected.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The `Set-Cookie` values received, in order.
    pub fn set_cookies(&self) -> Vec<String> {
        super::set_cookie_strings(&self.headers)
    }

    /// How many `Cookie` headers the app saw.
    pub fn cookie_headers_seen(&self) -> Option<usize> {
        self.headers
            .get("x-cookie-headers")?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }
}

/// Collects a response.
pub async fn read_reply(res: Response<Incoming>) -> Result<Reply, hyper::Error> {
    let (parts, body) = res.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// A client connection of either protocol.
#[derive(Debug)]
pub enum Client {
    Http1(http1::SendRequest<Empty<Bytes>>),
    Http2(http2::SendRequest<Empty<Bytes>>),
}

impl Client {
    /// Connects to `addr` with HTTP/2 (prior knowledge) or HTTP/1.1.
    pub async fn connect(addr: SocketAddr, http2: bool) -> Self {
        if http2 {
            Self::Http2(connect_http2(addr).await)
        } else {
            Self::Http1(connect_http1(addr).await)
        }
    }

    pub fn is_http2(&self) -> bool {
        matches!(self, Self::Http2(_))
    }

    /// Sends one request and collects the response.
    pub async fn send(&mut self, req: Request<Empty<Bytes>>) -> Result<Reply, hyper::Error> {
        let res = match self {
            Self::Http1(sender) => {
                sender.ready().await?;
                sender.send_request(req).await?
            }
            Self::Http2(sender) => {
                sender.ready().await?;
                sender.send_request(req).await?
            }
        };
        read_reply(res).await
    }
}

/// Writes `request` as is on a fresh connection and reads until the server
/// closes it (send `Connection: close`).
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("read response");
    response
}

/// The values of the `Set-Cookie` lines of a raw HTTP/1.1 response head,
/// byte for byte, in order.
pub fn raw_set_cookie_lines(response: &[u8]) -> Vec<Vec<u8>> {
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete response head");
    response[..head_end]
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let (name, value) = line.split_at(colon);
            name.eq_ignore_ascii_case(b"set-cookie")
                .then(|| value[1..].trim_ascii_start().to_vec())
        })
        .collect()
}
