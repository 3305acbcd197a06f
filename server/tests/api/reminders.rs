//! Reminders of a coverage's end: 30 days before, and at the end; each exactly once,
//! across a restart, and again for a new end after an extension.

use crate::helpers::{DAY, TestApp, spawn_app};
use care_rules::Plan;

async fn reminders(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM outbox WHERE subject LIKE '%ochrona%' ORDER BY id")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails")
}

#[tokio::test]
async fn each_reminder_goes_once_at_its_time_across_a_restart() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let doc: serde_json::Value = app
        .activate(&code, "SN0000000001")
        .await
        .json()
        .await
        .expect("json");
    let end: care_rules::Timestamp = doc["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let before = end - jiff::SignedDuration::from_hours(30 * 24);

    let now = app.now().await;
    app.advance((before - now).as_secs() - 1).await;
    assert_eq!(reminders(&app).await.len(), 0, "a second early");
    app.advance(1).await;
    assert_eq!(
        reminders(&app).await,
        ["Care Refresh: ochrona SN0000000001 kończy się za 30 dni"]
    );
    app.advance(DAY).await;

    let restarted = app.restart().await;
    restarted.advance(DAY).await;
    assert_eq!(
        reminders(&restarted).await.len(),
        1,
        "not again after a restart"
    );
    let now = restarted.now().await;
    restarted.advance((end - now).as_secs() - 1).await;
    assert_eq!(reminders(&restarted).await.len(), 1);
    restarted.advance(1).await;
    let sent = reminders(&restarted).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1], "Care Refresh: ochrona SN0000000001 się skończyła");
    let again = restarted.restart().await;
    again.advance(3 * DAY).await;
    assert_eq!(
        reminders(&again).await.len(),
        2,
        "not again after a second restart"
    );
    let body: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE subject LIKE '%skończyła%'")
            .fetch_one(&again.pool().await)
            .await
            .expect("email");
    assert!(body.contains("Masz 15 dni"), "{body}");
}

#[tokio::test]
async fn an_extension_arms_the_reminders_for_the_new_end() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let first = app.add_code("osmo-360", Plan::Annual).await;
    let doc: serde_json::Value = app
        .activate(&first, "SN0000000001")
        .await
        .json()
        .await
        .expect("json");
    let end: care_rules::Timestamp = doc["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let now = app.now().await;
    app.advance((end - now).as_secs() - 20 * DAY).await;
    assert_eq!(reminders(&app).await.len(), 1);
    let second = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&second, "SN0000000001").await.status(), 201);
    // Past the old end: nothing, the coverage runs on.
    app.advance(25 * DAY).await;
    assert_eq!(reminders(&app).await.len(), 1);
    let new_end = care_rules::time::add_months(end, 12);
    let now = app.now().await;
    app.advance((new_end - now).as_secs() - 30 * DAY).await;
    assert_eq!(reminders(&app).await.len(), 2, "30 days before the new end");
}
