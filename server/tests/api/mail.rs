//! The outbox's limit per recipient: mail a stranger can cause waits its turn above
//! the hourly limit; confirmations go at once; nothing is dropped.

use crate::helpers::spawn_app;
use care_rules::Plan;
use care_server::email::outbox::PER_RECIPIENT_HOUR;
use sqlx::Row;

const HOUR: i64 = 3600;

#[tokio::test]
async fn mail_above_the_hourly_limit_waits_and_confirmations_do_not() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let before = care_rules::Timestamp::now().as_second();
    // Each case opened mails its link to the address given, whoever gives it.
    let opened = usize::try_from(PER_RECIPIENT_HOUR).expect("small") + 2;
    for _ in 0..opened {
        app.open_case("SN0000000001").await;
    }
    // The owner activates another, new device.
    app.add_device("SN0000000002", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000002").await.status(), 201);
    let after = care_rules::Timestamp::now().as_second();

    let rows = sqlx::query(
        "SELECT subject, next_attempt_at FROM outbox
         WHERE to_addr = 'jan.kowalski@example.pl' ORDER BY id",
    )
    .fetch_all(&app.pool().await)
    .await
    .expect("outbox");
    assert_eq!(rows.len(), opened + 1, "nothing is dropped");
    let due: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("next_attempt_at").expect("due"))
        .collect();
    let (within, above) = due[..opened].split_at(opened - 2);
    for t in within {
        assert!((before..=after).contains(t), "due now: {due:?}");
    }
    for t in above {
        assert!(
            (before + HOUR..=after + HOUR).contains(t),
            "due an hour after the first of the ten before it: {due:?}"
        );
    }
    // The activation's confirmation is the last message and goes out at once.
    let activated: String = rows[opened].try_get("subject").expect("subject");
    assert!(activated.contains("SN0000000002"), "{activated}");
    assert!((before..=after).contains(&due[opened]), "{due:?}");
}

#[tokio::test]
async fn the_limit_counts_an_address_whatever_its_case() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    for i in 0..=PER_RECIPIENT_HOUR {
        let email = if i % 2 == 0 {
            "Jan.Kowalski@Example.PL"
        } else {
            "jan.kowalski@example.pl"
        };
        let response = app
            .post_json(
                "/api/verifications",
                &serde_json::json!({"serial": "SN0000000001", "email": email}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let later = app
        .count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE next_attempt_at > {}",
            care_rules::Timestamp::now().as_second() + HOUR / 2
        ))
        .await;
    assert_eq!(later, 1);
}
