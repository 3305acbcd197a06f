//! Prometheus metrics on their own address, moving as requests are made.

use crate::helpers::spawn_app_with;

/// The value of the first sample of `name` whose labels contain all of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .next()
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_move_when_requests_are_made_and_stay_off_the_public_address() {
    let app = spawn_app_with(|s| s.metrics_addr = Some("127.0.0.1:0".parse().expect("addr"))).await;
    let metrics = app.metrics.clone().expect("a metrics address");
    let scrape = || async {
        reqwest::get(format!("{metrics}/metrics"))
            .await
            .expect("scraped")
            .text()
            .await
            .expect("text")
    };
    let route = "route=\"/api/coverage/{serial}\"";
    let before = sample(
        &scrape().await,
        "care_http_requests_total",
        &[route, "status=\"404\""],
    );
    for _ in 0..3 {
        assert_eq!(app.get("/api/coverage/SN0000000099").await.status(), 404);
    }
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    let upload = app.create_upload(&case, 50_000).await;
    let video = crate::helpers::video_bytes(50_000, 4);
    assert_eq!(
        app.patch_chunk(&upload, 0, &video, None).await.status(),
        204
    );
    let text = scrape().await;
    let after = sample(
        &text,
        "care_http_requests_total",
        &[route, "status=\"404\""],
    );
    assert!(after - before >= 3.0, "{before} → {after}");
    assert!(text.contains("care_http_request_seconds"), "latencies");
    assert!(sample(&text, "care_upload_bytes_total", &[]) >= 50_000.0);
    assert!(text.contains("care_outbox_waiting"), "{text}");
    // The public address does not serve them.
    assert_eq!(
        app.get("/metrics").await.status(),
        200,
        "the app's own page"
    );
    assert!(
        !app.get("/metrics")
            .await
            .text()
            .await
            .expect("text")
            .contains("care_http")
    );
}
