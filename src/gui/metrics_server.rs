//! View › Serve /metrics: the running simulation's metrics in Prometheus'
//! text format on a loopback-only HTTP endpoint, so a learner can point a
//! real Prometheus (and Grafana) at a simulated system. Off by default;
//! bound to 127.0.0.1 only, never another interface; one small thread
//! that answers `GET /metrics` with the latest snapshot the app published.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The port when `ARCHSIM_METRICS_PORT` does not say: the one Prometheus'
/// own exporters leave free by convention for new ones.
pub const DEFAULT_PORT: u16 = 9464;

/// A running endpoint.
pub struct MetricsServer {
    addr: SocketAddr,
    text: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub fn start(port: u16) -> std::io::Result<MetricsServer> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let text = Arc::new(Mutex::new(String::from("# no run yet\n")));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, flag) = (Arc::clone(&text), Arc::clone(&stop));
        let worker = std::thread::Builder::new().name("archsim-metrics".into()).spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, &shared),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        })?;
        Ok(MetricsServer { addr, text, stop, worker: Some(worker) })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The text the next scrape gets.
    pub fn publish(&self, text: String) {
        if let Ok(mut t) = self.text.lock() {
            *t = text;
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// Answers one connection: the metrics for `GET /metrics` (or `/`), 404
/// for anything else. A client that sends nothing is dropped after a second.
fn answer(mut stream: TcpStream, text: &Mutex<String>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let request = read_head(&mut stream);
    let first_line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_string();
    let path = first_line.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = if first_line.starts_with("GET ") && (path == "/metrics" || path == "/") {
        ("200 OK", text.lock().map(|t| t.clone()).unwrap_or_default())
    } else {
        ("404 Not Found", "only GET /metrics is served here\n".to_string())
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The request's head, up to its blank line (or 2 KB, the end of the
/// stream, or the read timeout): a client may send it in several pieces,
/// and answering the first piece would close the connection on the rest
/// (the client then sees its next write fail).
fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 512];
    while head.len() < 2048 && !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head
}

/// The port to listen on: `ARCHSIM_METRICS_PORT`, else [`DEFAULT_PORT`].
pub fn configured_port() -> u16 {
    std::env::var("ARCHSIM_METRICS_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_gets_the_published_text_and_anything_else_a_404() {
        let server = MetricsServer::start(0).expect("a free port");
        assert!(server.addr().ip().is_loopback());
        server.publish("archsim_up 1\n".into());
        let get = |path: &str| {
            let mut s = TcpStream::connect(server.addr()).expect("connects");
            write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("sends");
            let mut out = String::new();
            s.read_to_string(&mut out).expect("reads");
            out
        };
        let ok = get("/metrics");
        assert!(ok.starts_with("HTTP/1.1 200 OK") && ok.ends_with("archsim_up 1\n"), "{ok}");
        assert!(get("/other").starts_with("HTTP/1.1 404"));
    }

    /// A request sent in pieces, with pauses between them, is answered once
    /// it is whole (`write!` itself sends its pieces one by one).
    #[test]
    fn a_request_sent_in_pieces_is_answered_when_whole() {
        let server = MetricsServer::start(0).expect("a free port");
        server.publish("archsim_up 1\n".into());
        let mut s = TcpStream::connect(server.addr()).expect("connects");
        for piece in ["GET ", "/metrics", " HTTP/1.1\r\n", "Host: localhost\r\n", "\r\n"] {
            s.write_all(piece.as_bytes()).expect("sends");
            std::thread::sleep(Duration::from_millis(30));
        }
        let mut out = String::new();
        s.read_to_string(&mut out).expect("reads");
        assert!(out.starts_with("HTTP/1.1 200 OK") && out.ends_with("archsim_up 1\n"), "{out}");
    }
}
