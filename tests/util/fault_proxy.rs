//! A fault-injecting HTTPS proxy between qspgb and the real kube-apiserver, in the spirit
//! of toxiproxy, for `e2e/hooks_faults.rs`.
//!
//! qspgb talks to it as to the API server: it presents the API server's own certificate
//! (issued for 127.0.0.1), so a kubeconfig keeps its CA and token and only the port
//! changes. It reads each HTTP/1.1 request, and forwards it to the real server unless a
//! [`Fault`] rule matches the method and path: then it answers in the server's place, cuts
//! the connection, loses the answer, holds or stalls the request, stops listening for a
//! while, or runs a concurrent writer first. Every request is logged with what was done.
//!
//! As with a TCP proxy, each client connection has its own connection to the server, and
//! when the server closes it (a restart) the client's connection closes too: qspgb sees a
//! server going away exactly as it would without the proxy.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// What to do with a matching request instead of just forwarding it.
#[derive(Clone)]
pub enum Fault {
    /// Answer with this status and a Kubernetes Status body, without forwarding: an
    /// overloaded server (429), a failing one (500), or a load balancer in front of it
    /// (502, 503, 504).
    Respond(u16),
    /// Forward, and when the server's answer starts, replace it with this status and close
    /// the connection: the server acted, the client is told it failed (a 504 after the
    /// write was done).
    ForwardThenRespond(u16),
    /// Close the connection without forwarding: the request never reaches the server.
    Cut,
    /// Forward, and close the connection when the server's answer starts: the server
    /// acted, the answer is lost.
    LoseResponse,
    /// Close the connection without forwarding and stop listening for this long: new
    /// connections are refused (the port is closed), as while a server restarts.
    Refuse(Duration),
    /// Keep the request until [`FaultProxy::release`], then forward it.
    Hold,
    /// Never forward and never answer; the connection stays open until the client closes
    /// it.
    Stall,
    /// Run this first (say, kubectl writing the same object), then forward.
    Before(Arc<dyn Fn() + Send + Sync>),
}

impl Fault {
    fn name(&self) -> String {
        match self {
            Fault::Respond(code) => format!("respond {code}"),
            Fault::ForwardThenRespond(code) => format!("forward, respond {code}"),
            Fault::Cut => "cut".into(),
            Fault::LoseResponse => "forward, lose the answer".into(),
            Fault::Refuse(pause) => format!("cut, refuse connections for {pause:?}"),
            Fault::Hold => "hold".into(),
            Fault::Stall => "stall".into(),
            Fault::Before(_) => "concurrent write, forward".into(),
        }
    }
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// GET, POST, PUT, PATCH, ...
    pub method: String,
    /// The request target: path and query.
    pub path: String,
    /// The fault applied, `None` when forwarded untouched.
    pub fault: Option<String>,
}

impl Entry {
    /// Whether the request would change something (anything but GET).
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

struct Rule {
    method: String,
    path: String,
    times: usize,
    fault: Fault,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<Entry>>,
    /// Requests held so far (a count that only grows), with a condition variable.
    held: Mutex<usize>,
    held_changed: Condvar,
}

impl Shared {
    /// The fault for this request, if a rule with uses left matches; logs the request.
    fn fault_for(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let fault = rules
            .iter_mut()
            .find(|r| r.times > 0 && r.method == method && path.contains(&r.path))
            .map(|rule| {
                rule.times -= 1;
                rule.fault.clone()
            });
        self.log.lock().unwrap().push(Entry {
            method: method.to_string(),
            path: path.to_string(),
            fault: fault.as_ref().map(Fault::name),
        });
        fault
    }
}

/// The proxy; stops (and drops every connection) when dropped.
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
    release: watch::Sender<u64>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Everything a connection needs to reach the server and to be faulted.
struct Context {
    shared: Arc<Shared>,
    acceptor: TlsAcceptor,
    connector: TlsConnector,
    upstream: SocketAddr,
    release: watch::Receiver<u64>,
    refuse: mpsc::UnboundedSender<Duration>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of the API server on `upstream_port`,
    /// with the certificate, key and CA of the server in `run_dir` (`kube-apiserver.sh`).
    pub fn start(run_dir: &Path, upstream_port: u16) -> FaultProxy {
        let pki = run_dir.join("pki");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(pki.join("apiserver.crt"))
                .expect("the API server's certificate")
                .collect::<Result<_, _>>()
                .expect("PEM");
        let key = PrivateKeyDer::from_pem_file(pki.join("apiserver.key")).expect("its key");
        let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("a server TLS configuration");
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(pki.join("ca.crt")).expect("the CA") {
            roots.add(ca.expect("PEM")).unwrap();
        }
        let client_config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let (release, release_rx) = watch::channel(0);
        let (shutdown, shutdown_rx) = oneshot::channel();
        let (refuse, refuse_rx) = mpsc::unbounded_channel();
        let context = Arc::new(Context {
            shared: shared.clone(),
            acceptor: TlsAcceptor::from(Arc::new(server_config)),
            connector: TlsConnector::from(Arc::new(client_config)),
            upstream: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), upstream_port),
            release: release_rx,
            refuse,
        });
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = shutdown_rx => {}
                    _ = accept_loop(context, listener, refuse_rx) => {}
                }
            });
            // Connections still open are dropped; a concurrent writer still running is
            // given a moment to end.
            runtime.shutdown_timeout(Duration::from_secs(5));
        });
        FaultProxy {
            port,
            shared,
            release,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The proxy's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Applies `fault` to the next `times` requests with this method whose path (with
    /// query) contains `path` (`usize::MAX`: to all of them). Rules are tried in the
    /// order they were added.
    pub fn on(&self, method: &str, path: &str, times: usize, fault: Fault) {
        self.shared.rules.lock().unwrap().push(Rule {
            method: method.to_string(),
            path: path.to_string(),
            times,
            fault,
        });
    }

    /// Removes every rule: from now on everything is forwarded.
    pub fn clear(&self) {
        self.shared.rules.lock().unwrap().clear();
    }

    /// The requests seen since the last call, in order.
    pub fn take_log(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.shared.log.lock().unwrap())
    }

    /// Waits until `count` requests in all have been held; false after `limit`.
    pub fn wait_held(&self, count: usize, limit: Duration) -> bool {
        let held = self.shared.held.lock().unwrap();
        let (held, _) = self
            .shared
            .held_changed
            .wait_timeout_while(held, limit, |held| *held < count)
            .unwrap();
        *held >= count
    }

    /// Lets every held request go on.
    pub fn release(&self) {
        self.release.send_modify(|n| *n += 1);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections; on a [`Fault::Refuse`], closes the port for a while.
async fn accept_loop(
    context: Arc<Context>,
    mut listener: TcpListener,
    mut refuse: mpsc::UnboundedReceiver<Duration>,
) {
    let address = listener.local_addr().unwrap();
    loop {
        tokio::select! {
            pause = refuse.recv() => {
                let Some(pause) = pause else { return };
                drop(listener);
                tokio::time::sleep(pause).await;
                // tokio's listeners set SO_REUSEADDR: the port can be taken again at once.
                listener = TcpListener::bind(address).await.expect("listen again");
            }
            accepted = listener.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(connection(context.clone(), client));
                }
            }
        }
    }
}

/// One client connection and its own connection to the server.
async fn connection(context: Arc<Context>, client: TcpStream) {
    // The server's port is closed: close the client's connection before TLS, as a TCP
    // proxy (or a load balancer) with no healthy server does.
    let Ok(upstream) = TcpStream::connect(context.upstream).await else {
        return;
    };
    let Ok(client) = context.acceptor.accept(client).await else {
        return;
    };
    let name = ServerName::IpAddress(Ipv4Addr::LOCALHOST.into());
    let Ok(upstream) = context.connector.connect(name, upstream).await else {
        return;
    };
    let (client_read, client_write) = tokio::io::split(client);
    let (upstream_read, upstream_write) = tokio::io::split(upstream);
    let client_write = Arc::new(tokio::sync::Mutex::new(client_write));
    let answer = Arc::new(Mutex::new(Answer::Pass));
    let mut responses = tokio::spawn(responses(
        upstream_read,
        client_write.clone(),
        answer.clone(),
    ));
    let mut requests = tokio::spawn(requests(
        context,
        client_read,
        upstream_write,
        client_write,
        answer,
    ));
    // Whichever direction ends first ends the connection: dropping both halves closes it.
    tokio::select! {
        _ = &mut responses => requests.abort(),
        _ = &mut requests => responses.abort(),
    }
}

/// What to do with the server's next answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Pass,
    Lose,
    Replace(u16),
}

type ClientWrite = Arc<tokio::sync::Mutex<WriteHalf<tokio_rustls::server::TlsStream<TcpStream>>>>;

/// Server to client: the bytes as they come, unless the next answer is to be lost or
/// replaced; then the connection ends.
async fn responses(
    mut upstream: ReadHalf<tokio_rustls::client::TlsStream<TcpStream>>,
    client: ClientWrite,
    answer: Arc<Mutex<Answer>>,
) {
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let n = match upstream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut client = client.lock().await;
        let next = *answer.lock().unwrap();
        match next {
            Answer::Pass => {}
            Answer::Lose => return,
            Answer::Replace(code) => {
                let _ = client.write_all(&status_response(code, true)).await;
                let _ = client.flush().await;
                return;
            }
        }
        if client.write_all(&buffer[..n]).await.is_err() || client.flush().await.is_err() {
            return;
        }
    }
}

/// Client to server: request by request, each faulted or forwarded.
async fn requests(
    context: Arc<Context>,
    mut client_read: ReadHalf<tokio_rustls::server::TlsStream<TcpStream>>,
    mut upstream: WriteHalf<tokio_rustls::client::TlsStream<TcpStream>>,
    client_write: ClientWrite,
    answer: Arc<Mutex<Answer>>,
) {
    let mut buffer = Vec::new();
    let mut release = context.release.clone();
    while let Some((method, path, request)) = read_request(&mut client_read, &mut buffer).await {
        match context.shared.fault_for(&method, &path) {
            None => {}
            Some(Fault::Respond(code)) => {
                let mut client = client_write.lock().await;
                if client
                    .write_all(&status_response(code, false))
                    .await
                    .is_err()
                {
                    return;
                }
                let _ = client.flush().await;
                continue;
            }
            Some(Fault::ForwardThenRespond(code)) => {
                *answer.lock().unwrap() = Answer::Replace(code);
            }
            Some(Fault::Cut) => return,
            Some(Fault::LoseResponse) => *answer.lock().unwrap() = Answer::Lose,
            Some(Fault::Refuse(pause)) => {
                let _ = context.refuse.send(pause);
                return;
            }
            Some(Fault::Hold) => {
                release.mark_unchanged();
                {
                    let mut held = context.shared.held.lock().unwrap();
                    *held += 1;
                    context.shared.held_changed.notify_all();
                }
                if release.changed().await.is_err() {
                    return;
                }
            }
            Some(Fault::Stall) => {
                // Wait for the client to give up and close.
                let _ = client_read.read(&mut [0; 1]).await;
                return;
            }
            Some(Fault::Before(write)) => {
                let _ = tokio::task::spawn_blocking(move || write()).await;
            }
        }
        if upstream.write_all(&request).await.is_err() || upstream.flush().await.is_err() {
            return;
        }
    }
}

/// The next request on the connection: method, target and its bytes (head and body);
/// `None` at the end of the connection. Bodies are sized by Content-Length, as the kube
/// client sends them.
async fn read_request(
    client: &mut (impl AsyncRead + Unpin),
    buffer: &mut Vec<u8>,
) -> Option<(String, String, Vec<u8>)> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        fill(client, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut words = head.split_whitespace();
    let method = words.next()?.to_string();
    let path = words.next()?.to_string();
    let mut length = 0;
    for line in head.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        assert!(
            !(name == "transfer-encoding" && value.contains("chunked")),
            "the test proxy reads only Content-Length bodies: {method} {path}"
        );
        if name == "content-length" {
            length = value.trim().parse().expect("Content-Length");
        }
    }
    while buffer.len() < head_end + length {
        fill(client, buffer).await?;
    }
    let request: Vec<u8> = buffer.drain(..head_end + length).collect();
    Some((method, path, request))
}

async fn fill(client: &mut (impl AsyncRead + Unpin), buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0; 16 * 1024];
    match client.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

/// An HTTP answer with a Kubernetes Status body, as the API server sends for errors.
fn status_response(code: u16, close: bool) -> Vec<u8> {
    let reason = match code {
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    let body = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("injected by the test proxy: {reason}"),
        "reason": reason.replace(' ', ""),
        "code": code,
    })
    .to_string();
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n{body}",
        body.len(),
        if close { "Connection: close\r\n" } else { "" },
    )
    .into_bytes()
}
