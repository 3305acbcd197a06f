//! `POST /api/activations`: every refusal, the rule boundaries through the test
//! clock, extension chains to the cap, idempotency, and the race for one code.

use crate::helpers::{DAY, activation, customer, problem, spawn_app};
use care_rules::{Code, Plan};
use serde_json::{Value, json};

const SERIAL: &str = "SN0000000001";

async fn created(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_direct_activation_gives_two_replacements_at_169() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let now = app.now().await;
    let doc = created(app.activate(&code, SERIAL).await).await;
    assert_eq!(doc["status"], "active");
    assert_eq!(
        doc["replacements"],
        json!({"total": 2, "used": 0, "remaining": 2})
    );
    assert_eq!(doc["next_fee_grosze"], 16900);
    assert_eq!(doc["starts_at"], now.to_string());
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    assert_eq!(coverage, doc);
}

#[tokio::test]
async fn extensions_chain_to_the_cap_and_a_fourth_term_is_refused() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let first = created(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
    )
    .await;
    let second = created(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
    )
    .await;
    assert_eq!(second["replacements"]["remaining"], 4);
    let first_end: care_rules::Timestamp = first["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let second_end: care_rules::Timestamp = second["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    assert_eq!(second_end, care_rules::time::add_months(first_end, 12));
    let third = created(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
    )
    .await;
    assert_eq!(third["replacements"]["remaining"], 6);
    assert_eq!(third["terms"].as_array().map(Vec::len), Some(3));
    assert_eq!(third["extension"]["refusal"], "coverage_cap_exceeded");
    let fourth = app.add_code("osmo-360", Plan::Annual).await;
    let body = problem(app.activate(&fourth, SERIAL).await, 422).await;
    assert_eq!(body["code"], "coverage_cap_exceeded");
    // The refused code stays unused: it can still activate another device.
    app.add_device("SN0000000002", "osmo-360", None).await;
    created(app.activate(&fourth, "SN0000000002").await).await;
}

#[tokio::test]
async fn two_year_then_annual_is_allowed_annual_then_two_year_is_not() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let doc = created(
        app.activate(&app.add_code("osmo-360", Plan::TwoYear).await, SERIAL)
            .await,
    )
    .await;
    assert_eq!(doc["replacements"]["total"], 4);
    let doc = created(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
    )
    .await;
    assert_eq!(doc["replacements"]["total"], 6);
    let body = problem(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
        422,
    )
    .await;
    assert_eq!(body["code"], "coverage_cap_exceeded");

    app.add_device("SN0000000002", "osmo-360", None).await;
    created(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000002",
        )
        .await,
    )
    .await;
    let two_year = app.add_code("osmo-360", Plan::TwoYear).await;
    let body = problem(app.activate(&two_year, "SN0000000002").await, 422).await;
    assert_eq!(body["code"], "extension_requires_annual_plan");
}

#[tokio::test]
async fn the_direct_window_closes_exactly_30_days_after_device_activation() {
    let app = spawn_app().await;
    let t = app.now().await;
    for serial in ["SN0000000001", "SN0000000002", "SN0000000003"] {
        app.add_device(serial, "osmo-360", Some(t)).await;
    }
    app.advance(30 * DAY - 1).await;
    created(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000001",
        )
        .await,
    )
    .await;
    app.advance(1).await;
    let body = problem(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000002",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["code"], "verification_required");
    app.advance(1).await;
    let body = problem(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000003",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["code"], "verification_required");
}

#[tokio::test]
async fn an_accepted_video_opens_72_hours_for_one_activation() {
    let app = spawn_app().await;
    let t = app.now().await;
    let old = t - jiff::SignedDuration::from_hours(24 * 365);
    app.add_device("SN0000000001", "osmo-360", Some(old)).await;
    app.add_device("SN0000000002", "osmo-360", Some(old)).await;
    let first = app.accepted_verification("SN0000000001", t).await;
    let second = app.accepted_verification("SN0000000002", t).await;
    app.advance(72 * 3600 - 1).await;
    let mut body = activation(
        &app.add_code("osmo-360", Plan::TwoYear).await,
        "SN0000000001",
    );
    body["verification_id"] = json!(first);
    let doc = created(app.post_json("/api/activations", &body).await).await;
    assert_eq!(doc["replacements"]["total"], 4);
    // One accepted video serves one activation.
    let again = app
        .count(&format!(
            "SELECT COUNT(*) FROM verifications WHERE id = '{first}' AND status = 'used'"
        ))
        .await;
    assert_eq!(again, 1);
    app.advance(1).await;
    let mut body = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000002",
    );
    body["verification_id"] = json!(second);
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["code"], "verification_window_closed");
}

#[tokio::test]
async fn a_video_must_be_accepted_unused_and_for_this_device() {
    let app = spawn_app().await;
    let t = app.now().await;
    let old = t - jiff::SignedDuration::from_hours(24 * 365);
    app.add_device("SN0000000001", "osmo-360", Some(old)).await;
    app.add_device("SN0000000002", "osmo-360", Some(old)).await;
    let case = app.accepted_verification("SN0000000001", t).await;
    // A case for another device.
    let mut body = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000002",
    );
    body["verification_id"] = json!(case);
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["code"], "verification_not_accepted");
    // An unknown case.
    body["verification_id"] = json!("0".repeat(32));
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["code"], "verification_not_accepted");
    // A used case: once the chain it started has lapsed, a new chain needs a new video.
    let mut first = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000001",
    );
    first["verification_id"] = json!(case);
    let doc = created(app.post_json("/api/activations", &first).await).await;
    let end: care_rules::Timestamp = doc["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    app.advance((end - t).as_secs() + 15 * DAY).await;
    let mut reuse = activation(
        &app.add_code("osmo-360", Plan::Annual).await,
        "SN0000000001",
    );
    reuse["verification_id"] = json!(case);
    let refused = problem(app.post_json("/api/activations", &reuse).await, 422).await;
    assert_eq!(refused["code"], "verification_not_accepted");
}

#[tokio::test]
async fn the_extension_window_closes_15_days_after_the_end_then_a_new_chain_needs_a_video() {
    let app = spawn_app().await;
    let t = app.now().await;
    app.add_device("SN0000000001", "osmo-360", Some(t)).await;
    app.add_device("SN0000000002", "osmo-360", Some(t)).await;
    let a = created(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000001",
        )
        .await,
    )
    .await;
    created(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000002",
        )
        .await,
    )
    .await;
    let end: care_rules::Timestamp = a["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let deadline = end + jiff::SignedDuration::from_hours(24 * 15);
    let now = app.now().await;
    app.advance((deadline - now).as_secs() - 1).await;
    let coverage: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(coverage["status"], "grace");
    assert_eq!(coverage["replacements"]["remaining"], 0);
    assert_eq!(coverage["extension"]["allowed"], true);
    let extended = created(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000001",
        )
        .await,
    )
    .await;
    // The new term starts where the coverage ended: no gap.
    assert_eq!(extended["terms"][1]["starts_at"], a["ends_at"]);
    assert_eq!(extended["status"], "active");
    app.advance(1).await;
    let coverage: Value = app.get_json("/api/coverage/SN0000000002").await;
    assert_eq!(coverage["status"], "expired");
    assert_eq!(coverage["extension"]["refusal"], "extension_window_closed");
    // At the deadline the chain has lapsed: a code starts a new chain, which for a
    // device older than 30 days needs a video (R13).
    let body = problem(
        app.activate(
            &app.add_code("osmo-360", Plan::Annual).await,
            "SN0000000002",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["code"], "verification_required");
}

#[tokio::test]
async fn refuses_unknown_used_and_mismatched_codes() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let unknown = Code::from_payload([1; 15]);
    assert_eq!(
        problem(app.activate(&unknown, SERIAL).await, 404).await["code"],
        "code_not_found"
    );
    let rs3 = app.add_code("rs-3", Plan::Annual).await;
    let mismatch = problem(app.activate(&rs3, SERIAL).await, 422).await;
    assert_eq!(mismatch["code"], "code_product_mismatch");
    // Which product each is for, so the owner knows where the card belongs.
    assert_eq!(mismatch["code_product_id"], "rs-3");
    assert_eq!(mismatch["device_product_id"], "osmo-360");
    assert_eq!(mismatch["field"], "code");
    let csv = app.dir.path().join("de.csv");
    let german = Code::from_payload([2; 15]);
    std::fs::write(&csv, format!("{german},osmo-360,annual,DE\n")).expect("csv");
    care_server::operator::import_codes(&app.db, &app.key, &csv, care_rules::Timestamp::now())
        .await
        .expect("imported");
    assert_eq!(
        problem(app.activate(&german, SERIAL).await, 422).await["code"],
        "code_region_mismatch"
    );
    let code = app.add_code("osmo-360", Plan::Annual).await;
    created(app.activate(&code, SERIAL).await).await;
    app.add_device("SN0000000002", "osmo-360", None).await;
    assert_eq!(
        problem(app.activate(&code, "SN0000000002").await, 409).await["code"],
        "code_already_used"
    );
}

#[tokio::test]
async fn refuses_bad_codes_serials_and_unknown_devices_naming_the_field() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let mut typo = code.as_str().to_owned();
    let last = if typo.ends_with('0') { "1" } else { "0" };
    typo.replace_range(15..16, last);
    let mut body = activation(&code, SERIAL);
    body["code"] = json!(typo);
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid_code_format"), Some("code"))
    );
    let refused = problem(app.activate(&code, "SHORT").await, 422).await;
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid_serial"), Some("serial"))
    );
    let refused = problem(app.activate(&code, "SN9999999999").await, 404).await;
    assert_eq!(refused["code"], "device_not_found");
    // Nothing was used up by the refusals.
    created(app.activate(&code, SERIAL).await).await;
}

#[tokio::test]
async fn refuses_bad_customer_details_and_unaccepted_terms() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let cases = [
        ("/customer/email", json!("jan@"), "customer.email"),
        ("/customer/name", json!(""), "customer.name"),
        ("/customer/phone", json!("600"), "customer.phone"),
        ("/accept_terms", json!(false), "accept_terms"),
        ("/verification_id", json!("not-an-id"), "verification_id"),
    ];
    for (pointer, value, field) in cases {
        let mut body = activation(&code, SERIAL);
        match body.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                body[pointer.trim_start_matches('/')] = value;
            }
        }
        let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
        assert_eq!(refused["code"], "invalid_request", "{field}");
        assert_eq!(refused["field"], field);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 0);
}

#[tokio::test]
async fn malformed_bodies_get_422_413_or_415_and_change_nothing() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let post_raw = |body: String, content_type: &'static str| {
        app.client
            .post(app.url("/api/activations"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let refused = problem(
        post_raw("{not json".into(), "application/json")
            .await
            .expect("sent"),
        422,
    )
    .await;
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid_request"), Some("body"))
    );
    let mut body = activation(&code, SERIAL);
    body["accept_terms"] = json!("yes");
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["field"], "accept_terms");
    let mut body = activation(&code, SERIAL);
    body["coupon"] = json!("FREE");
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["field"], "coupon");
    let mut body = activation(&code, SERIAL);
    body["customer"]["age"] = json!(40);
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["field"], "customer.age");
    let body = json!({"serial": SERIAL, "customer": customer(), "accept_terms": true});
    let refused = problem(app.post_json("/api/activations", &body).await, 422).await;
    assert_eq!(refused["field"], "code");
    let mut huge = activation(&code, SERIAL);
    huge["customer"]["name"] = json!("x".repeat(20_000));
    let refused = problem(
        post_raw(huge.to_string(), "application/json")
            .await
            .expect("sent"),
        413,
    )
    .await;
    assert_eq!(refused["code"], "payload_too_large");
    let refused = problem(
        post_raw(activation(&code, SERIAL).to_string(), "text/plain")
            .await
            .expect("sent"),
        415,
    )
    .await;
    assert_eq!(refused["code"], "unsupported_media_type");
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 0);
    created(app.activate(&code, SERIAL).await).await;
}

#[tokio::test]
async fn retries_with_one_idempotency_key_racing_each_other_all_get_the_first_answer() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let retries = (0..10).map(|_| {
        app.client
            .post(app.url("/api/activations"))
            .header("Idempotency-Key", "retried-key")
            .json(&activation(&code, SERIAL))
            .send()
    });
    let mut answers = Vec::new();
    for response in futures::future::join_all(retries).await {
        let response = response.expect("sent");
        answers.push((
            response.status().as_u16(),
            response.text().await.expect("body"),
        ));
    }
    assert!(
        answers.iter().all(|(status, _)| *status == 201),
        "{answers:?}"
    );
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 1);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let send = |key: &'static str, body: Value| {
        app.client
            .post(app.url("/api/activations"))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send("key-1", activation(&code, SERIAL))
        .await
        .expect("sent");
    assert_eq!(first.status(), 201);
    let first = first.text().await.expect("body");
    app.advance(3600).await;
    let again = send("key-1", activation(&code, SERIAL))
        .await
        .expect("sent");
    assert_eq!(again.status(), 201);
    assert_eq!(again.text().await.expect("body"), first);
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    // The same body with its keys in another order is the same request.
    let reordered: Value =
        serde_json::from_str(&activation(&code, SERIAL).to_string()).expect("json");
    assert_eq!(send("key-1", reordered).await.expect("sent").status(), 201);
    let mut other = activation(&code, SERIAL);
    other["customer"]["name"] = json!("Anna Nowak");
    let refused = problem(send("key-1", other).await.expect("sent"), 422).await;
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid_request"), Some("Idempotency-Key"))
    );
    // A refusal is the first answer too.
    let unknown = Code::from_payload([3; 15]);
    let refused = problem(
        send("key-2", activation(&unknown, SERIAL))
            .await
            .expect("sent"),
        404,
    )
    .await;
    let replayed = problem(
        send("key-2", activation(&unknown, SERIAL))
            .await
            .expect("sent"),
        404,
    )
    .await;
    assert_eq!(refused, replayed);
    let refused = problem(
        send("", activation(&code, SERIAL)).await.expect("sent"),
        422,
    )
    .await;
    assert_eq!(refused["field"], "Idempotency-Key");
}

#[tokio::test]
async fn fifty_concurrent_activations_of_one_code_have_one_winner() {
    let app = spawn_app().await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    for i in 0..50 {
        app.add_device(&format!("RACE{i:08}"), "osmo-360", None)
            .await;
    }
    let attempts = (0..50).map(|i| {
        let client = app.client.clone();
        let url = app.url("/api/activations");
        let body = activation(&code, &format!("RACE{i:08}"));
        tokio::spawn(async move { client.post(url).json(&body).send().await })
    });
    let mut statuses = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        let response = attempt.expect("task").expect("sent");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("json");
        if status == 409 {
            assert_eq!(body["code"], "code_already_used");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM coverages").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM terms").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 1);
}

#[tokio::test]
async fn concurrent_extensions_of_one_device_never_overlap() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    created(
        app.activate(&app.add_code("osmo-360", Plan::Annual).await, SERIAL)
            .await,
    )
    .await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(app.add_code("osmo-360", Plan::Annual).await);
    }
    let attempts = codes.iter().map(|code| {
        let client = app.client.clone();
        let url = app.url("/api/activations");
        let body = activation(code, SERIAL);
        tokio::spawn(async move { client.post(url).json(&body).send().await })
    });
    let results = futures::future::join_all(attempts).await;
    let ok = results
        .into_iter()
        .filter(|r| {
            r.as_ref()
                .is_ok_and(|r| r.as_ref().is_ok_and(|r| r.status() == 201))
        })
        .count();
    // Two more annual terms fit under the cap, whichever requests win.
    assert_eq!(ok, 2);
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    let terms = coverage["terms"].as_array().expect("terms");
    assert_eq!(terms.len(), 3);
    for pair in terms.windows(2) {
        assert_eq!(pair[0]["ends_at"], pair[1]["starts_at"]);
    }
}

#[tokio::test]
async fn wrong_codes_are_rate_limited_per_client_with_retry_after() {
    let app = spawn_app().await;
    for i in 0..11 {
        app.add_device(&format!("SN{i:010}"), "osmo-360", None)
            .await;
    }
    for i in 0..10u8 {
        let guess = Code::from_payload([i + 10; 15]);
        let refused = problem(app.activate(&guess, &format!("SN{i:010}")).await, 404).await;
        assert_eq!(refused["code"], "code_not_found");
    }
    // Over the limit even a right code waits.
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let response = app.activate(&code, "SN0000000010").await;
    let retry_after: i64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(response, 429).await["code"], "rate_limited");
    app.advance(900).await;
    created(app.activate(&code, "SN0000000010").await).await;
}

#[tokio::test]
async fn strangers_guessing_a_serial_slow_it_down_but_never_lock_its_owner_out() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    // Ten failures recorded against the serial from other clients.
    let now = app.now().await.as_second();
    let mut tx = app.db.write().await.expect("tx");
    let limits = care_server::rate_limit::RateLimits::default();
    for _ in 0..10 {
        limits
            .record(&mut tx, &format!("code-failures:serial:{SERIAL}"), now)
            .await
            .expect("recorded");
    }
    tx.commit().await.expect("commit");
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let started = std::time::Instant::now();
    created(app.activate(&code, SERIAL).await).await;
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "the answer was slowed down"
    );
}

#[tokio::test]
async fn forty_wrong_codes_at_once_are_counted_one_after_the_other() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let guesses = (0..40u8).map(|i| {
        let app = &app;
        async move {
            let guess = Code::from_payload([i + 20; 15]);
            app.activate(&guess, SERIAL).await.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let unknown = statuses.iter().filter(|s| **s == 404).count();
    assert_eq!((unknown, limited), (10, 30), "{statuses:?}");
}

#[tokio::test]
async fn an_activation_writes_the_confirmation_to_the_outbox_and_an_audit_event() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let response = app
        .client
        .post(app.url("/api/activations"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .json(&activation(&code, SERIAL))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let outbox = app.dir.path().join("data/outbox");
    let mut eml = None;
    for _ in 0..100 {
        if let Some(entry) = std::fs::read_dir(&outbox).expect("outbox").flatten().next() {
            eml = Some(std::fs::read_to_string(entry.path()).expect("eml"));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let eml = eml.expect("the worker delivered the email");
    assert!(eml.contains("To: jan.kowalski@example.pl"), "{eml}");
    assert!(
        eml.contains("Subject: Care Refresh activated: DJI Osmo 360 SN0000000001"),
        "{eml}"
    );
    assert!(eml.contains("PLN 169.00"), "{eml}");
    assert!(eml.contains("(Warsaw time)"), "{eml}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        1
    );
    let audit: (String, String, String) = sqlx::query_as(
        "SELECT actor, action, subject FROM audit_events WHERE action = 'coverage.activated'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("audit event");
    assert_eq!(
        audit,
        (
            "customer:j***@example.pl".into(),
            "coverage.activated".into(),
            format!("device:{SERIAL}")
        )
    );
}
