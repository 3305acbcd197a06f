//! Prometheus metrics, served on their own address (`CARE_METRICS_ADDR`) so that they
//! are never public: requests by route and status with their latencies, the outbox's
//! depth and oldest message, upload bytes, and rate-limit refusals.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process's recorder, installed once (every app in a test process shares it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may be set already (a test harness): then this one only renders.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts each API request by its route (the template, not the path: no ids in labels)
/// and status, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("care_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("care_http_request_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics in Prometheus' text format.
pub async fn render() -> String {
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}

/// The router of the metrics address.
pub fn router() -> axum::Router {
    axum::Router::new().route("/metrics", axum::routing::get(render))
}
