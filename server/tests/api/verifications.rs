//! Verification cases: opening one, following it, and the whole path from upload to
//! activation through the test clock.

use crate::helpers::{DAY, activation, problem, spawn_app};
use care_rules::Plan;
use care_rules::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn opening_a_case_gives_an_unguessable_id_and_a_link_by_email() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let response = app
        .post_json(
            "/api/verifications",
            &json!({"serial": "sn-0000000001", "email": "jan@example.pl"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let id = body["id"].as_str().expect("id");
    assert_eq!(id.len(), 32, "128 bits as hex");
    assert_eq!(body["status"], "awaiting_upload");
    assert_eq!(body["upload_url"], "/api/uploads");
    assert_eq!(body["max_bytes"], 2_147_483_648u64);
    let case: Value = app.get_json(&format!("/api/verifications/{id}")).await;
    assert_eq!(case["serial"], "SN0000000001");
    assert_eq!(case["status"], "awaiting_upload");
    assert_eq!(case["upload"], Value::Null);
    let link = format!("/verification/{id}");
    let queued: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE to_addr = 'jan@example.pl'")
            .fetch_one(&app.pool().await)
            .await
            .expect("an email");
    assert!(queued.contains(&link), "{queued}");
}

#[tokio::test]
async fn a_case_opens_only_for_a_device_that_needs_a_video() {
    let app = spawn_app().await;
    let now = app.now().await;
    let at = |days_ago: i64, seconds: i64| {
        care_rules::Timestamp::from_second(now.as_second() - days_ago * DAY + seconds)
            .expect("an instant")
    };
    app.add_device("SN0000000001", "osmo-360", None).await; // sealed
    // In use for 30 days less a second: its plan still activates directly (R2).
    app.add_device("SN0000000002", "osmo-360", Some(at(30, 1)))
        .await;
    // In use for exactly 30 days: a video comes first.
    app.add_device("SN0000000003", "osmo-360", Some(at(30, 0)))
        .await;
    let open = |serial: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/verifications",
                &json!({"serial": serial, "email": "jan@example.pl"}),
            )
            .await
        }
    };
    for serial in ["SN0000000001", "SN0000000002"] {
        let refused = problem(open(serial).await, 409).await;
        assert_eq!(refused["code"], "invalid_state", "{serial}");
    }
    assert_eq!(open("SN0000000003").await.status(), 201);
    // A running coverage is extended without a video.
    app.add_device("SN0000000004", "osmo-360", None).await;
    let code = app.add_code("osmo-360", care_rules::Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000004").await.status(), 201);
    assert_eq!(
        problem(open("SN0000000004").await, 409).await["code"],
        "invalid_state"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'jan@example.pl'")
            .await,
        1
    );
}

#[tokio::test]
async fn opening_a_case_refuses_bad_input() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let cases = [
        (
            json!({"serial": "x", "email": "jan@example.pl"}),
            422,
            "invalid_serial",
        ),
        (
            json!({"serial": "SN0000000009", "email": "jan@example.pl"}),
            404,
            "device_not_found",
        ),
        (
            json!({"serial": "SN0000000001", "email": "jan"}),
            422,
            "invalid_request",
        ),
        (json!({"serial": "SN0000000001"}), 422, "invalid_request"),
    ];
    for (body, status, code) in cases {
        assert_eq!(
            problem(app.post_json("/api/verifications", &body).await, status).await["code"],
            code
        );
    }
    assert_eq!(
        problem(
            app.get(&format!("/api/verifications/{}", "0".repeat(32)))
                .await,
            404
        )
        .await["code"],
        "not_found"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 0);
}

#[tokio::test]
async fn opening_cases_is_rate_limited_per_client() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    for _ in 0..20 {
        app.open_case("SN0000000001").await;
    }
    let response = app
        .post_json(
            "/api/verifications",
            &json!({"serial": "SN0000000001", "email": "jan@example.pl"}),
        )
        .await;
    assert_eq!(problem(response, 429).await["code"], "rate_limited");
}

#[tokio::test]
async fn cases_opened_at_once_never_pass_the_limit() {
    let app = spawn_app().await;
    let second = app.restart().await;
    app.add_old_device("SN0000000001").await;
    let body = json!({"serial": "SN0000000001", "email": "jan@example.pl"});
    let openings = (0..30).map(|i| {
        let on = if i % 2 == 0 { &app } else { &second };
        on.post_json("/api/verifications", &body)
    });
    let mut statuses: Vec<u16> = futures::future::join_all(openings)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 20);
}

#[tokio::test]
async fn a_video_accepted_opens_72_hours_to_the_minute() {
    let app = spawn_app().await;
    let old = app.now().await - jiff::SignedDuration::from_hours(24 * 400);
    app.add_device("SN0000000001", "osmo-360", Some(old)).await;
    app.add_device("SN0000000002", "osmo-360", Some(old)).await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;

    // First device: upload, acceptance, activation at 71 h 59 min.
    let case = app.submit_video("SN0000000001").await;
    assert_eq!(app.case(&case).await["status"], "pending_review");
    let decided = app.decide(&reviewer, &case, json!({"accept": true})).await;
    assert_eq!(decided.status(), 200);
    let decided: Value = decided.json().await.expect("json");
    assert_eq!(decided["status"], "accepted");
    let deadline: care_rules::Timestamp = decided["activation_deadline"]
        .as_str()
        .expect("deadline")
        .parse()
        .expect("instant");
    assert_eq!(
        deadline,
        app.now().await + jiff::SignedDuration::from_hours(72)
    );
    app.advance(71 * 3600 + 59 * 60).await;
    let mut body = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000001",
    );
    body["verification_id"] = json!(case);
    assert_eq!(app.post_json("/api/activations", &body).await.status(), 201);
    let used: Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(used["status"], "used");

    // Second device: accepted now, activation exactly 72 h later is refused. (The
    // reviewer signs in again: sessions last 12 hours.)
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let second = app.submit_video("SN0000000002").await;
    assert_eq!(
        app.decide(&reviewer, &second, json!({"accept": true}))
            .await
            .status(),
        200
    );
    app.advance(72 * 3600).await;
    let expired: Value = app.get_json(&format!("/api/verifications/{second}")).await;
    assert_eq!(expired["status"], "expired");
    let mut body = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000002",
    );
    body["verification_id"] = json!(second);
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["code"], "verification_window_closed");
}

#[tokio::test]
async fn decisions_email_the_owner_with_the_deadline_or_the_reason() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let accepted = app.submit_video("SN0000000001").await;
    assert_eq!(
        app.decide(&reviewer, &accepted, json!({"accept": true}))
            .await
            .status(),
        200
    );
    let rejected = app.submit_video("SN0000000001").await;
    let response = app
        .decide(
            &reviewer,
            &rejected,
            json!({"accept": false, "reason": "serial_not_visible"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        (body["status"].as_str(), body["reject_reason"].as_str()),
        (Some("rejected"), Some("serial_not_visible"))
    );
    let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM outbox ORDER BY id")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails");
    assert!(
        subjects.iter().any(|s| s.contains("film zaakceptowany")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("film odrzucony")),
        "{subjects:?}"
    );
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("(czas polski)") && b.contains("72 godzin"))
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("numer seryjny nie jest widoczny"))
    );
    // A decided case cannot be decided again.
    let again = problem(
        app.decide(
            &reviewer,
            &accepted,
            json!({"accept": false, "reason": "poor_quality"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(again["code"], "invalid_state");
    let audit = app
        .count("SELECT COUNT(*) FROM audit_events WHERE actor = 'staff:reviewer@dji-ars.example'")
        .await;
    assert!(audit >= 2, "{audit}");
}

#[tokio::test]
async fn a_decision_needs_the_right_reason_fields() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let case = app.submit_video("SN0000000001").await;
    for (decision, field) in [
        (json!({"accept": false}), "reason"),
        (json!({"accept": false, "reason": "other"}), "note"),
        (json!({"accept": true, "reason": "poor_quality"}), "reason"),
        (json!({"accept": false, "reason": "blurry"}), "reason"),
        // Nothing but control characters is no note.
        (
            json!({"accept": false, "reason": "other", "note": "\u{7}\u{1b}"}),
            "note",
        ),
    ] {
        let refused = problem(app.decide(&reviewer, &case, decision).await, 422).await;
        assert_eq!(refused["field"], field);
    }
    let ok = app
        .decide(
            &reviewer,
            &case,
            // A terminal escape and a right-to-left override are stripped, not stored.
            json!({"accept": false, "reason": "other", "note": "the lens\u{1b} is\u{202E} covered\u{7}"}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.expect("json");
    assert_eq!(body["reject_note"], "the lens is covered");
}

#[tokio::test]
async fn a_case_not_yet_uploaded_cannot_be_decided() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let case = app.open_case("SN0000000001").await;
    let refused = problem(
        app.decide(&reviewer, &case, json!({"accept": true})).await,
        409,
    )
    .await;
    assert_eq!(refused["code"], "invalid_state");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("awaiting_upload"))
    );
}

#[tokio::test]
async fn a_video_is_deleted_30_days_after_the_decision_and_the_case_stays() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let case = app.submit_video("SN0000000001").await;
    assert_eq!(
        app.decide(
            &reviewer,
            &case,
            json!({"accept": false, "reason": "poor_quality"})
        )
        .await
        .status(),
        200
    );
    let video_url = app.url(&format!("/api/staff/verifications/{case}/video"));
    app.advance(30 * DAY - 1).await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    assert_eq!(
        app.client
            .get(&video_url)
            .header("cookie", &reviewer)
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
    app.advance(1).await;
    let upload: String = sqlx::query_scalar("SELECT id FROM uploads")
        .fetch_one(&app.pool().await)
        .await
        .expect("the upload");
    let deleted: Option<i64> = sqlx::query_scalar("SELECT video_deleted_at FROM uploads")
        .fetch_one(&app.pool().await)
        .await
        .expect("the upload");
    assert!(deleted.is_some(), "the upload {upload} is marked deleted");
    let gone = app
        .client
        .get(&video_url)
        .header("cookie", &reviewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(gone, 404).await["code"], "not_found");
    let record: Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(record["status"], "rejected");
    assert_eq!(record["reject_reason"], "poor_quality");
}
