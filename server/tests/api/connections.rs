//! Connections a client holds open: a slowloris (headers trickled, or nothing said) is
//! closed within the header timeout, while an honest slow upload, whose bytes keep
//! coming, finishes; a body that stops coming ends its request.

use crate::helpers::{TestApp, spawn_app_with, video_bytes};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app_with_short_timeouts() -> TestApp {
    spawn_app_with(|s| {
        s.connections.header_timeout_secs = 1;
        s.connections.body_timeout_secs = 2;
        s.connections.max_connections = 20;
    })
    .await
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Sends a request's start and trickles a header byte every 300 ms, for at most
/// `limit`; returns how long until the server closed the connection.
async fn slowloris(address: String, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut socket = TcpStream::connect(&address).await.ok()?;
    socket
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .ok()?;
    let mut buffer = [0u8; 256];
    while started.elapsed() < limit {
        if socket.write_all(b"a").await.is_err() {
            return Some(started.elapsed());
        }
        match tokio::time::timeout(Duration::from_millis(300), socket.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {} // the server answered something (a 408); keep reading to the close
            Err(_) => {}    // nothing yet
        }
    }
    None
}

#[tokio::test]
async fn slowloris_connections_are_closed_while_a_slow_upload_finishes() {
    let app = app_with_short_timeouts().await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    let video = video_bytes(640 * 1024, 5);
    let upload = app.create_upload(&case, video.len()).await;

    // 30 slow clients, more than the 20 connections served at once.
    let attackers: Vec<_> = (0..30)
        .map(|_| tokio::spawn(slowloris(host(&app), Duration::from_secs(8))))
        .collect();
    // Meanwhile an honest upload on a slow link: 64 KiB every 400 ms, 4 s in all,
    // longer than the header timeout, each pause shorter than the body timeout.
    let pieces: Vec<Vec<u8>> = video.chunks(64 * 1024).map(<[u8]>::to_vec).collect();
    let slow_body = futures::stream::unfold(pieces.into_iter(), |mut rest| async move {
        let piece = rest.next()?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        Some((Ok::<_, std::io::Error>(piece), rest))
    });
    let started = Instant::now();
    let response = app
        .client
        .patch(&upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(reqwest::Body::wrap_stream(slow_body))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["upload-offset"], video.len().to_string());
    assert!(started.elapsed() > Duration::from_secs(3), "it was slow");

    for attacker in attackers {
        let closed = attacker.await.expect("task");
        let after = closed.expect("the server closed the slow connection");
        assert!(
            after < Duration::from_secs(4),
            "closed only after {after:?}"
        );
    }
    // And everyone else is served.
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn a_client_that_says_nothing_or_idles_is_closed() {
    let app = app_with_short_timeouts().await;
    let mut silent = TcpStream::connect(host(&app)).await.expect("connected");
    let mut buffer = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(3), silent.read(&mut buffer)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "a silent connection is closed"
    );

    // A keep-alive connection idle after its answer is closed the same way.
    let mut idle = TcpStream::connect(host(&app)).await.expect("connected");
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("sent");
    let mut answer = Vec::new();
    let started = Instant::now();
    loop {
        let mut chunk = [0u8; 512];
        match tokio::time::timeout(Duration::from_secs(4), idle.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => panic!("an idle keep-alive connection stayed open"),
        }
    }
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_body_that_stops_coming_ends_its_request_and_keeps_what_arrived() {
    let app = app_with_short_timeouts().await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    let video = video_bytes(100_000, 6);
    let upload = app.create_upload(&case, video.len()).await;
    let first = video[..40_000].to_vec();
    let stalled = futures::stream::unfold(0u8, move |step| {
        let first = first.clone();
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(first), 1)),
                // Then nothing, for longer than the body timeout.
                _ => {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    None
                }
            }
        }
    });
    let started = Instant::now();
    let outcome = app
        .client
        .patch(&upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .header("Content-Length", video.len().to_string())
        .body(reqwest::Body::wrap_stream(stalled))
        .send()
        .await;
    assert!(started.elapsed() < Duration::from_secs(10), "not held");
    if let Ok(response) = outcome {
        assert!(response.status().is_success() || response.status().is_client_error());
    }
    assert_eq!(app.upload_offset(&upload).await, Some(40_000));
}

/// A raw `GET /api/health` from `source`; the status line, or `None` when the server
/// closed the connection without an answer.
async fn health_from(source: &str, address: &str) -> Option<String> {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{source}:0").parse().expect("source"))
        .expect("bound");
    let mut stream = socket
        .connect(address.parse().expect("address"))
        .await
        .expect("connected");
    let request = b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return None;
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut answer))
        .await
        .expect("an answer or a close in time")
        .ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().map(str::to_owned)
}

#[tokio::test]
async fn one_client_cannot_take_every_connection() {
    let app = spawn_app_with(|s| {
        s.connections.header_timeout_secs = 30;
        s.connections.max_connections = 20;
        s.connections.max_connections_per_client = 4;
    })
    .await;
    // 127.0.0.1 holds its four connections, saying nothing.
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(TcpStream::connect(host(&app)).await.expect("connected"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Its fifth is closed at once, not after the header timeout.
    let started = Instant::now();
    assert_eq!(health_from("127.0.0.1", &host(&app)).await, None);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Another client is served meanwhile.
    assert_eq!(
        health_from("127.0.0.2", &host(&app)).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    // A connection given up is a slot back.
    drop(silent.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        health_from("127.0.0.1", &host(&app)).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
}

#[tokio::test]
async fn behind_a_load_balancer_connections_are_not_counted_per_peer() {
    let app = spawn_app_with(|s| {
        s.connections.header_timeout_secs = 30;
        s.connections.max_connections_per_client = 2;
        s.client_ip = axum_client_ip::ClientIpSource::RightmostXForwardedFor;
    })
    .await;
    // Every connection comes from the balancer's one address.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(host(&app)).await.expect("connected"));
    }
    let mut balancer = TcpStream::connect(host(&app)).await.expect("connected");
    balancer
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n")
        .await
        .expect("sent");
    let mut answer = Vec::new();
    balancer.read_to_end(&mut answer).await.expect("read");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
}
