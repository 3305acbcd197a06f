use crate::helpers::{problem, spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn the_test_clock_stands_still_and_moves_when_advanced() {
    let app = spawn_app().await;
    let start = app.now().await;
    assert_eq!(app.now().await, start);
    let later = app.advance(3600).await;
    assert_eq!(later, start + jiff::SignedDuration::from_hours(1));
    assert_eq!(app.now().await, later);
    let refused = problem(
        app.post_json("/api/test-clock", &json!({"advance_seconds": -1}))
            .await,
        422,
    )
    .await;
    assert_eq!(refused["field"], "advance_seconds");
}

#[tokio::test]
async fn without_care_test_clock_there_is_no_test_clock() {
    let app = spawn_app_with(|s| s.test_clock = false).await;
    assert_eq!(
        problem(app.get("/api/test-clock").await, 404).await["code"],
        "not_found"
    );
    let response = app
        .post_json("/api/test-clock", &json!({"advance_seconds": 60}))
        .await;
    assert_eq!(problem(response, 404).await["code"], "not_found");
}
