//! Remote sources against real servers on loopback: an HTTP/1.1 server written here on a
//! TCP socket (redirects, HTML pages, 404s, slow and oversized bodies) and an S3-compatible
//! server (moto, from tests/requirements.txt) started by the test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use statbox_data::{DataError, DataLimits, ReadOptions, Source, load_source};
use statbox_runtime::TableSource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name)
}

static FLAKY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static DOWN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Serves one canned response per path, like a static file server with a few pathologies.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let csv = std::fs::read(fixture("sales.csv")).expect("fixture");
                let (head, body): (String, Vec<u8>) = match path.as_str() {
                    "/files/sales.csv" => (ok("text/csv", Some(csv.len())), csv),
                    // Fails once with 503, then serves: a retry gets it.
                    "/flaky.csv" if FLAKY.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 => {
                        ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n".into(), vec![])
                    }
                    "/flaky.csv" => (ok("text/csv", Some(csv.len())), csv),
                    "/down.csv" => {
                        DOWN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n".into(), vec![])
                    }
                    "/latest" => {
                        ("HTTP/1.1 302 Found\r\nLocation: /files/sales.csv\r\nContent-Length: 0\r\n".into(), vec![])
                    }
                    "/loop" => ("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n".into(), vec![]),
                    "/login" => (ok("text/html; charset=utf-8", Some(15)), b"<html>hi</html>".to_vec()),
                    "/export" => {
                        let body = b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n".to_vec();
                        (ok("application/octet-stream", Some(body.len())), body)
                    }
                    "/slow.csv" => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        (ok("text/csv", Some(4)), b"a\n1\n".to_vec())
                    }
                    // No Content-Length: only streaming can notice the size.
                    "/endless.csv" => (ok("text/csv", None), b"a\n".repeat(1_000_000)),
                    _ => ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n".into(), vec![]),
                };
                let _ = socket.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

fn ok(content_type: &str, length: Option<usize>) -> String {
    let length = length.map(|l| format!("Content-Length: {l}\r\n")).unwrap_or_default();
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}")
}

fn limits() -> DataLimits {
    DataLimits {
        http_timeout_secs: 2,
        http_max_redirects: 3,
        max_file_bytes: 1_000_000,
        fetch_backoff_ms: 10,
        ..Default::default()
    }
}

#[tokio::test]
async fn transient_failures_are_retried_and_permanent_ones_are_not() {
    let addr = serve().await;
    let t = load(format!("http://{addr}/flaky.csv"), &limits()).await.expect("a retry gets the file");
    assert_eq!(t.row_count(), 300);
    let e = load(format!("http://{addr}/down.csv"), &limits()).await.err().expect("still down");
    assert!(matches!(e, DataError::HttpStatus { status: 503, .. }), "{e}");
    assert_eq!(DOWN.load(std::sync::atomic::Ordering::SeqCst), 3, "one try and two retries");
    // A 404 is not retried.
    let e = load(format!("http://{addr}/missing.csv"), &limits()).await.err().expect("404");
    assert!(!e.is_transient(), "{e}");
}

async fn load(url: String, limits: &DataLimits) -> Result<Box<dyn TableSource>, DataError> {
    Ok(Box::new(load_source(&Source::parse(&url)?, &ReadOptions::default(), limits).await?))
}

#[tokio::test]
async fn http_downloads_and_every_refusal() {
    let addr = serve().await;
    let base = format!("http://{addr}");
    let t = load(format!("{base}/files/sales.csv"), &limits()).await.expect("downloads");
    assert_eq!(t.row_count(), 300);
    let t = load(format!("{base}/latest"), &limits()).await.expect("follows a redirect");
    assert_eq!(t.row_count(), 300);
    let t = load(format!("{base}/export"), &limits()).await.expect("format from content");
    assert_eq!(t.numeric("a").unwrap(), vec![1.0, 2.0, 3.0]);

    let err = |r: Result<Box<dyn TableSource>, DataError>| r.err().expect("refused");
    assert!(matches!(err(load(format!("{base}/loop"), &limits()).await), DataError::HttpRedirects { limit: 3, .. }));
    assert!(matches!(err(load(format!("{base}/login"), &limits()).await), DataError::HttpContentType { .. }));
    assert!(matches!(
        err(load(format!("{base}/gone.csv"), &limits()).await),
        DataError::HttpStatus { status: 404, .. }
    ));
    assert!(matches!(
        err(load(format!("{base}/slow.csv"), &limits()).await),
        DataError::HttpTimeout { seconds: 2, .. }
    ));
    let big = err(load(format!("{base}/endless.csv"), &limits()).await);
    assert!(matches!(big, DataError::TooLarge { limit: 1_000_000, .. }), "{big}");
    let message = err(load("http://127.0.0.1:1/x.csv".into(), &limits()).await).to_string();
    assert!(message.starts_with("Downloading http://127.0.0.1:1/x.csv failed:"), "{message}");
    let ftp = err(load("ftp://example.com/x.csv".into(), &limits()).await).to_string();
    assert!(ftp.contains("'ftp://' is not supported"), "{ftp}");
}

/// moto's S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> PathBuf {
    std::env::var_os("STATBOX_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/statbox/venv/bin/python")
    })
}

async fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let child = Command::new(python())
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto with {} ({e}); run `make pyenv`", python().display()));
    let endpoint = format!("http://127.0.0.1:{port}");
    let moto = Moto { child, endpoint };
    for _ in 0..100 {
        if reqwest::get(&moto.endpoint).await.is_ok() {
            return moto;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start on {}", moto.endpoint);
}

#[tokio::test]
async fn s3_objects_from_a_real_s3_server() {
    let moto = start_moto().await;
    let client = reqwest::Client::new();
    // moto accepts unsigned requests: create a bucket and upload the fixture.
    client
        .put(format!("{}/statbox-test", moto.endpoint))
        .send()
        .await
        .expect("bucket")
        .error_for_status()
        .expect("bucket created");
    let csv = std::fs::read(fixture("sales.csv")).expect("fixture");
    client
        .put(format!("{}/statbox-test/in/sales.csv", moto.endpoint))
        .body(csv.clone())
        .send()
        .await
        .expect("upload")
        .error_for_status()
        .expect("uploaded");
    let limits = DataLimits {
        s3_endpoint: Some(moto.endpoint.clone()),
        s3_access_key_id: Some("testing".into()),
        s3_secret_access_key: Some("testing".into()),
        ..Default::default()
    };
    let t = load("s3://statbox-test/in/sales.csv".into(), &limits).await.expect("reads from S3");
    assert_eq!(t.row_count(), 300);
    let missing = load("s3://statbox-test/in/nope.csv".into(), &limits).await.err().expect("refused").to_string();
    assert!(missing.contains("no such object"), "{missing}");
    let small = DataLimits { max_file_bytes: 1000, ..limits.clone() };
    let big = load("s3://statbox-test/in/sales.csv".into(), &small).await.err().expect("refused");
    assert!(matches!(big, DataError::TooLarge { limit: 1000, .. }), "{big}");
    let bad = load("s3://statbox-test".into(), &limits).await.err().expect("refused").to_string();
    assert!(bad.contains("s3://bucket/path/to/file.csv"), "{bad}");
}
