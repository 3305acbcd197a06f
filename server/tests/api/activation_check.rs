//! `POST /api/activations/check`: the activation's rules before the owner's details,
//! nothing written, only unknown codes counted toward the guessing limit.

use crate::helpers::{DAY, TestApp, problem, spawn_app};
use care_rules::{Code, Plan};
use serde_json::{Value, json};

const SERIAL: &str = "SN0000000001";

impl TestApp {
    async fn check(&self, code: &Code, serial: &str) -> reqwest::Response {
        self.post_json(
            "/api/activations/check",
            &json!({"code": code.to_string(), "serial": serial}),
        )
        .await
    }
}

async fn ok(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_check_says_what_the_owner_gets_and_writes_nothing() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::TwoYear).await;
    let now = app.now().await;
    let answer = ok(app.check(&code, SERIAL).await).await;
    assert_eq!(answer["outcome"], "activate");
    assert_eq!(answer["product_id"], "osmo-360");
    assert_eq!(answer["plan"], "two-year");
    assert_eq!(answer["starts_at"], now.to_string());
    assert_eq!(
        answer["replacements"],
        json!({"total": 4, "used": 0, "remaining": 4})
    );
    assert_eq!(answer["next_fee_grosze"], 16900);
    // Nothing was written: the code still activates, once.
    assert_eq!(app.count("SELECT COUNT(*) FROM activations").await, 0);
    assert_eq!(ok(app.check(&code, SERIAL).await).await, answer);
    assert_eq!(app.activate(&code, SERIAL).await.status(), 201);
    assert_eq!(
        problem(app.check(&code, SERIAL).await, 409).await["code"],
        "code_already_used"
    );
}

#[tokio::test]
async fn a_check_of_a_second_code_says_extend_until_when() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    let first = app.add_code("osmo-360", Plan::Annual).await;
    let started = app.now().await;
    assert_eq!(app.activate(&first, SERIAL).await.status(), 201);
    app.advance(100 * DAY).await;
    let second = app.add_code("osmo-360", Plan::Annual).await;
    let answer = ok(app.check(&second, SERIAL).await).await;
    assert_eq!(answer["outcome"], "extend");
    assert_eq!(answer["starts_at"], started.to_string());
    let ends: care_rules::Timestamp = answer["ends_at"]
        .as_str()
        .expect("ends_at")
        .parse()
        .expect("instant");
    assert!(ends.as_second() - started.as_second() > 700 * DAY);
    assert_eq!(answer["replacements"]["total"], 4);
}

#[tokio::test]
async fn a_card_for_another_product_is_named_at_the_check() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "rs-3", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let refused = problem(app.check(&code, SERIAL).await, 422).await;
    assert_eq!(refused["code"], "code_product_mismatch");
    assert_eq!(refused["code_product_id"], "osmo-360");
    assert_eq!(refused["device_product_id"], "rs-3");
    assert_eq!(refused["field"], "code");
}

#[tokio::test]
async fn a_check_refuses_as_the_activation_would() {
    let app = spawn_app().await;
    let now = app.now().await;
    let old = care_rules::Timestamp::from_second(now.as_second() - 40 * DAY).expect("instant");
    app.add_device(SERIAL, "osmo-360", Some(old)).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(
        problem(app.check(&code, SERIAL).await, 422).await["code"],
        "verification_required"
    );
    assert_eq!(
        problem(app.check(&code, "SN9999999999").await, 404).await["code"],
        "device_not_found"
    );
    let typo = problem(
        app.post_json(
            "/api/activations/check",
            &json!({"code": "ABCD-EFGH-JKMN-PQRT", "serial": SERIAL}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(typo["field"], "code");
    let unknown_field = problem(
        app.post_json(
            "/api/activations/check",
            &json!({"code": code.to_string(), "serial": SERIAL, "customer": {}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(unknown_field["code"], "invalid_request");
}

#[tokio::test]
async fn only_unknown_codes_count_toward_the_guessing_limit() {
    let app = spawn_app().await;
    app.add_device(SERIAL, "osmo-360", None).await;
    app.add_device("SN0000000002", "rs-3", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    // Back, reload, another look: the owner's own code checked over and over, and a
    // mismatch seen many times, never lock anyone out.
    for _ in 0..15 {
        ok(app.check(&code, SERIAL).await).await;
        problem(app.check(&code, "SN0000000002").await, 422).await;
    }
    // Ten unknown codes do.
    for i in 0..10u8 {
        let guess = Code::from_payload([i + 40; 15]);
        assert_eq!(
            problem(app.check(&guess, SERIAL).await, 404).await["code"],
            "code_not_found"
        );
    }
    let limited = app.check(&code, SERIAL).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // The same counters as activations'.
    assert_eq!(app.activate(&code, SERIAL).await.status(), 429);
}
