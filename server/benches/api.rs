//! Throughput and latency of coverage lookups and activations against a real server
//! on loopback, with its SQLite database on disk (WAL, synchronous FULL), each beside a
//! bare baseline measured in the same run:
//! - activations (a client in this process) beside a bare loop of durable inserts, one
//!   transaction each, into a SQLite file on the same disk;
//! - coverage lookups over every serial, measured by wrk (a separate process), beside a
//!   bare axum route with no middleware that answers the same bytes, and the portal's
//!   `/api/health`, which shows what the portal's middleware costs on its own.
//!
//! `cargo bench -p care-server` (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ACTIVATIONS
//! change the run; BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL). Needs `wrk`
//! on PATH for the lookups (Debian: `apt-get install wrk`).

use care_rules::{Plan, Timestamp};
use care_server::config::Settings;
use care_server::operator;
use care_server::startup::Application;
use serde_json::json;
use sqlx::Executor;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Report {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Report {
    fn print(mut self) {
        self.latencies.sort();
        let n = self.latencies.len();
        let pct = |p: f64| {
            let i = ((n as f64 * p).ceil() as usize).clamp(1, n.max(1)) - 1;
            self.latencies.get(i).copied().unwrap_or_default()
        };
        println!(
            "{:<18} {:>7} requests in {:>5.1} s = {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   errors {}",
            self.name,
            n,
            self.elapsed.as_secs_f64(),
            n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            pct(1.0).as_secs_f64() * 1e3,
            self.errors,
        );
    }
}

/// Runs `concurrency` workers, each sending the request `make(i)` for i drawn from a
/// shared counter, until `limit` requests or `seconds` have passed.
async fn load<F>(
    name: &'static str,
    concurrency: usize,
    limit: usize,
    seconds: u64,
    expected: u16,
    make: F,
) -> Report
where
    F: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let client = reqwest::Client::new();
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| {
        let (client, make, next) = (client.clone(), make.clone(), next.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= limit || Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                match make(&client, i).send().await {
                    Ok(r) if r.status().as_u16() == expected => {
                        let _ = r.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        })
    });
    let mut report = Report {
        name,
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for worker in futures::future::join_all(workers).await {
        let (latencies, errors) = worker.expect("worker");
        report.latencies.extend(latencies);
        report.errors += errors;
    }
    report.elapsed = started.elapsed();
    report
}

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10) as u64;
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    let activations = env_or("BENCH_ACTIVATIONS", 4000);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::under(dir.path());
    // BENCH_DATABASE_URL: run on that database (say PostgreSQL) instead of SQLite.
    settings.data.database_url = std::env::var("BENCH_DATABASE_URL").ok();
    let backend = settings
        .data
        .database_url()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let app = Application::build(&settings).await.expect("app");
    let base = format!("http://{}", app.address().expect("bound"));
    let (db, key) = (app.db(), app.code_key());
    tokio::spawn(app.run_until_stopped());

    let serials: Vec<String> = (0..activations).map(|i| format!("BENCH{i:08}")).collect();
    let csv = dir.path().join("devices.csv");
    let rows: String = serials.iter().map(|s| format!("{s},osmo-360,\n")).collect();
    std::fs::write(&csv, rows).expect("csv");
    operator::import_devices(&db, &csv, Timestamp::now())
        .await
        .expect("devices");
    let count = u32::try_from(activations).expect("count");
    let codes =
        operator::generate_codes(&db, &key, "osmo-360", Plan::Annual, count, Timestamp::now())
            .await
            .expect("codes");
    let codes: Arc<Vec<String>> = Arc::new(codes.iter().map(ToString::to_string).collect());
    let serials = Arc::new(serials);
    println!(
        "care-server on loopback: {backend}, {concurrency} concurrent clients, {} CPU cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let (s, c, url) = (
        serials.clone(),
        codes.clone(),
        format!("{base}/api/activations"),
    );
    load(
        "activation",
        concurrency,
        activations,
        seconds * 3,
        201,
        move |client, i| {
            client.post(&url).json(&json!({
                "code": c[i], "serial": s[i],
                "customer": {"name": "Jan Kowalski", "email": "jan@example.pl"},
                "accept_terms": true,
            }))
        },
    )
    .await
    .print();

    if backend == "sqlite" {
        let inserts = bare_inserts(dir.path(), activations).await;
        println!(
            "{:<18} {activations:>7} inserts  in {:>5.1} s = {:>8.0} /s   (one durable transaction each, same disk)",
            "bare insert",
            inserts.as_secs_f64(),
            activations as f64 / inserts.as_secs_f64(),
        );
    }

    // The lookups, side by side, by wrk: the bare route first, then the portal.
    let sample = reqwest::get(format!("{base}/api/coverage/{}", serials[0]))
        .await
        .expect("a lookup")
        .bytes()
        .await
        .expect("its bytes");
    let bare = bare_server(sample.clone()).await;
    let script = dir.path().join("serials.lua");
    std::fs::write(&script, lua_cycling(&serials)).expect("wrk script");
    println!(
        "wrk, 1 thread, 50 connections, {seconds} s each; the answer is {} bytes",
        sample.len()
    );
    // Both lookups run the same wrk script (a serial per request, in turn).
    let Some(bare_rate) = wrk(&format!("{bare}/api/coverage/x"), Some(&script), seconds) else {
        println!("wrk is not on PATH (Debian: apt-get install wrk): lookups not measured");
        return;
    };
    let lookup = wrk(&format!("{base}/api/coverage/x"), Some(&script), seconds).unwrap_or(0.0);
    let health = wrk(&format!("{base}/api/health"), None, seconds).unwrap_or(0.0);
    for (name, rate) in [
        ("bare route", bare_rate),
        ("coverage lookup", lookup),
        ("/api/health", health),
    ] {
        println!(
            "{name:<18} {rate:>8.0} req/s   {:>5.2}x the bare route",
            rate / bare_rate
        );
    }
}

/// A bare loop of `n` durable inserts, one transaction each, with the portal's own
/// SQLite settings (WAL, synchronous FULL) in a file beside its database.
async fn bare_inserts(dir: &std::path::Path, n: usize) -> Duration {
    let url = format!("sqlite://{}?mode=rwc", dir.join("bare.db").display());
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("bare database");
    pool.execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE rows (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, at INTEGER NOT NULL)",
    )
    .await
    .expect("bare table");
    let started = Instant::now();
    for i in 0..n {
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("INSERT INTO rows (serial, at) VALUES ($1, $2)")
            .bind(format!("BARE{i:08}"))
            .bind(i as i64)
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    started.elapsed()
}

/// An axum route with no middleware answering `body` as JSON; its base URL.
async fn bare_server(body: bytes::Bytes) -> String {
    let route = axum::routing::get(move || {
        let body = body.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }
    });
    let router = axum::Router::new().route("/api/coverage/{serial}", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bare port");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// A wrk script that asks for every serial in turn.
fn lua_cycling(serials: &[String]) -> String {
    let list: Vec<String> = serials.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        "local serials = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i % #serials + 1\n  return wrk.format(\"GET\", \"/api/coverage/\" .. serials[i])\nend\n",
        list.join(",")
    )
}

/// Requests per second wrk reaches on `url`, or `None` without wrk.
fn wrk(url: &str, script: Option<&std::path::Path>, seconds: u64) -> Option<f64> {
    let mut command = Command::new("wrk");
    command.args(["-t1", "-c50", &format!("-d{seconds}s")]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") {
        println!("{text}");
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}
