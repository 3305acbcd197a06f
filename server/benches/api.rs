//! Throughput and latency of coverage lookups and activations against a real server
//! on loopback, with its SQLite database on disk (WAL, synchronous FULL).
//!
//! `cargo bench -p care-server` (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ACTIVATIONS
//! change the run; BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL). The client runs in the same process on the same cores, so the
//! figures are a floor for what the server does alone.

use care_rules::{Plan, Timestamp};
use care_server::config::Settings;
use care_server::operator;
use care_server::startup::Application;
use serde_json::json;
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

    let (s, base_c) = (serials.clone(), base.clone());
    load(
        "coverage lookup",
        concurrency,
        usize::MAX,
        seconds,
        200,
        move |client, i| client.get(format!("{base_c}/api/coverage/{}", s[i % s.len()])),
    )
    .await
    .print();
}
