//! Online payment of claims against localstripe, Stripe's stand-in (started by
//! `cargo xtask test`, its address in `CARE_TEST_STRIPE`): cards, a decline then a
//! success, 3-D Secure, webhooks (signed by localstripe, and by the tests for what the
//! stand-in cannot play: BLIK, repeats, disorder, a wrong amount, stale signatures),
//! reconciliation of a lost webhook, a transfer racing an online payment, concurrent
//! starts and two instances receiving the same event.

use crate::helpers::{TestApp, problem, spawn_app, spawn_app_with};
use care_rules::{Plan, Role};
use care_server::payments::StripeSettings;
use care_server::payments::signature::sign;
use serde_json::{Value, json};
use std::time::Duration;

const SECRET_KEY: &str = "sk_test_portal";
const WEBHOOK_SECRET: &str = "whsec_portal_test";

/// localstripe's address, or `None` (the test is skipped, saying so) outside
/// `cargo xtask test`.
fn localstripe() -> Option<String> {
    let url = std::env::var("CARE_TEST_STRIPE").ok();
    if url.is_none() {
        eprintln!("CARE_TEST_STRIPE is not set: run through `cargo xtask test`; skipped");
    }
    url
}

fn stripe_settings(api: &str) -> StripeSettings {
    StripeSettings {
        stripe_secret_key: Some(SECRET_KEY.to_owned()),
        stripe_publishable_key: Some("pk_test_portal".to_owned()),
        stripe_webhook_secret: Some(WEBHOOK_SECRET.to_owned()),
        stripe_api_url: api.to_owned(),
        stripe_js_url: format!("{api}/js.stripe.com/v3/"),
    }
}

/// An app with online payment through localstripe; with `webhook`, localstripe's
/// events are sent to it.
async fn paying_app(stripe: &str, webhook: bool) -> TestApp {
    let app = spawn_app_with(|s| s.stripe = stripe_settings(stripe)).await;
    if webhook {
        let id = care_server::ids::random_id();
        let registered = reqwest::Client::new()
            .post(format!("{stripe}/_config/webhooks/{id}"))
            .form(&[
                ("url", app.url("/api/payments/stripe/webhook")),
                ("secret", WEBHOOK_SECRET.to_owned()),
            ])
            .send()
            .await
            .expect("localstripe");
        assert_eq!(registered.status(), 200);
    }
    app
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

/// A claim of a covered Osmo 360 that awaits its Care Refresh fee (169 zł).
async fn awaiting_payment(app: &TestApp, serial: &str) -> (String, String) {
    app.add_device(serial, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, serial).await.status(), 201);
    let service = app.staff_cookie(Role::Service).await;
    let (id, _) = app.file_claim(serial).await;
    ok(app.step(&service, &id, "receive", json!({})).await).await;
    ok(app
        .step(
            &service,
            &id,
            "quote",
            json!({"amount_grosze": 45000, "note": "arm"}),
        )
        .await)
    .await;
    ok(app.choose(&id, "care_refresh").await).await;
    (id, service)
}

async fn start(app: &TestApp, claim: &str) -> reqwest::Response {
    app.post_json(&format!("/api/claims/{claim}/payment"), &json!({}))
        .await
}

async fn confirm(app: &TestApp, claim: &str, body: Value) -> reqwest::Response {
    app.post_json(&format!("/api/claims/{claim}/payment/confirm"), &body)
        .await
}

/// A card token as Stripe.js makes it in the browser.
async fn card_token(stripe: &str, number: &str) -> String {
    let token: Value = reqwest::Client::new()
        .post(format!("{stripe}/v1/tokens"))
        .basic_auth(SECRET_KEY, Some(""))
        .form(&[
            ("card[number]", number),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2030"),
            ("card[cvc]", "123"),
        ])
        .send()
        .await
        .expect("localstripe")
        .json()
        .await
        .expect("a token");
    token["id"].as_str().expect("an id").to_owned()
}

async fn intent(stripe: &str, id: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{stripe}/v1/payment_intents/{id}"))
        .basic_auth(SECRET_KEY, Some(""))
        .send()
        .await
        .expect("localstripe")
        .json()
        .await
        .expect("an intent")
}

/// What Stripe.js's `confirmCardPayment` does once the bank says yes to 3-D Secure.
async fn authenticate(stripe: &str, payment: &Value) {
    let pi = payment["payment_intent"].as_str().expect("pi");
    let authenticated = reqwest::Client::new()
        .post(format!(
            "{stripe}/v1/payment_intents/{pi}/_authenticate?success=true"
        ))
        .basic_auth(SECRET_KEY, Some(""))
        .form(&[(
            "client_secret",
            payment["client_secret"].as_str().expect("secret"),
        )])
        .send()
        .await
        .expect("localstripe");
    assert_eq!(authenticated.status(), 200);
}

/// The intent paid at the provider with a good card, without the portal's part.
async fn pay_at_provider(stripe: &str, pi: &str) {
    let client = reqwest::Client::new();
    for (path, form) in [
        (
            format!("{stripe}/v1/payment_intents/{pi}"),
            vec![("payment_method", "pm_card_visa")],
        ),
        (format!("{stripe}/v1/payment_intents/{pi}/confirm"), vec![]),
    ] {
        let sent = client
            .post(path)
            .basic_auth(SECRET_KEY, Some(""))
            .form(&form)
            .send()
            .await
            .expect("localstripe");
        assert_eq!(sent.status(), 200);
    }
}

/// Polls the claim (which also reconciles) until `status`, for up to 10 s.
async fn claim_reaches(app: &TestApp, claim: &str, status: &str) -> Value {
    for _ in 0..100 {
        let doc = app.get_json(&format!("/api/claims/{claim}")).await;
        if doc["status"] == status {
            return doc;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("claim {claim} never reached {status}");
}

/// An event as Stripe sends it, about `intent` (a JSON object).
fn event(id: &str, kind: &str, intent: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "id": id, "object": "event", "type": kind, "data": {"object": intent}
    }))
    .expect("json")
}

fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

async fn deliver(app: &TestApp, body: &[u8], signature: Option<String>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/payments/stripe/webhook"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    request.send().await.expect("sent")
}

async fn signed(app: &TestApp, body: &[u8]) -> reqwest::Response {
    deliver(app, body, Some(sign(body, WEBHOOK_SECRET, wall_clock()))).await
}

async fn replacements(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM replacements").await
}

#[tokio::test]
async fn a_card_pays_the_claim_once_with_a_receipt() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, true).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000001").await;
    let before = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(before["payment"]["online"], true);

    let payment = ok(start(&app, &claim).await).await;
    assert_eq!(payment["provider"], "stripe");
    assert_eq!(payment["amount_grosze"], 16900);
    assert_eq!(payment["currency"], "pln");
    assert_eq!(payment["methods"], json!(["card", "blik"]));
    assert_eq!(payment["publishable_key"], "pk_test_portal");
    let pi = payment["payment_intent"].as_str().expect("pi").to_owned();
    assert!(pi.starts_with("pi_"));
    let at_stripe = intent(&stripe, &pi).await;
    assert_eq!(at_stripe["amount"], 16900);
    assert_eq!(at_stripe["metadata"]["claim_id"], claim.as_str());
    // Asked again: the same intent, never a second one.
    assert_eq!(
        ok(start(&app, &claim).await).await["payment_intent"],
        pi.as_str()
    );

    let token = card_token(&stripe, "4242424242424242").await;
    let paid = ok(confirm(&app, &claim, json!({"method": "card", "token": token})).await).await;
    assert_eq!(paid["state"], "succeeded");
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["status"], "paid");
    assert_eq!(doc["payment"], Value::Null);
    assert_eq!(replacements(&app).await, 1);
    // localstripe's own webhook arrives about a second later and counts nothing again.
    for _ in 0..50 {
        if app.count("SELECT COUNT(*) FROM payment_events").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app.count("SELECT COUNT(*) FROM payment_events").await >= 1);
    assert_eq!(replacements(&app).await, 1);
    let receipts = app
        .count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%otrzymaliśmy płatność%'")
        .await;
    assert_eq!(receipts, 1);
    // Nothing is due any more.
    assert_eq!(
        problem(start(&app, &claim).await, 409).await["code"],
        "invalid_state"
    );
}

#[tokio::test]
async fn a_declined_card_is_explained_then_the_same_intent_takes_another() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, true).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000002").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"].clone();
    let declined = card_token(&stripe, "4000000000000341").await;
    let failed =
        ok(confirm(&app, &claim, json!({"method": "card", "token": declined})).await).await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["failure"], "card_declined");
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["status"], "awaiting_payment");
    assert_eq!(doc["payment"]["last_failure"], "card_declined");
    assert_eq!(replacements(&app).await, 0);

    let again = ok(start(&app, &claim).await).await;
    assert_eq!(again["payment_intent"], pi, "the failed intent is reused");
    // localstripe cannot confirm an intent a second time (its failed charge stays the
    // latest): the bank's yes to the second card is the tests' own signed event.
    let mut paid = intent(&stripe, pi.as_str().expect("pi")).await;
    paid["status"] = json!("succeeded");
    paid["last_payment_error"] = Value::Null;
    let body = event("evt_second_card", "payment_intent.succeeded", &paid);
    assert_eq!(signed(&app, &body).await.status(), 200);
    let doc = claim_reaches(&app, &claim, "paid").await;
    assert_eq!(doc["payment"], Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, 1);
}

#[tokio::test]
async fn three_d_secure_finishes_in_the_browser_then_the_webhook_pays() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, true).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000003").await;
    let payment = ok(start(&app, &claim).await).await;
    let token = card_token(&stripe, "4000002500003155").await;
    let asked = ok(confirm(&app, &claim, json!({"method": "card", "token": token})).await).await;
    assert_eq!(asked["state"], "requires_action");
    assert_eq!(asked["client_secret"], payment["client_secret"]);
    assert_eq!(
        app.get_json(&format!("/api/claims/{claim}")).await["status"],
        "awaiting_payment"
    );
    authenticate(&stripe, &payment).await;
    // Only the webhook tells the portal (polling the table, not the page, which
    // would reconcile).
    for _ in 0..60 {
        if replacements(&app).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(replacements(&app).await, 1);
    assert_eq!(
        app.get_json(&format!("/api/claims/{claim}")).await["status"],
        "paid"
    );
}

#[tokio::test]
async fn a_lost_webhook_is_settled_when_the_owner_opens_the_claim() {
    let Some(stripe) = localstripe() else { return };
    // No webhook registered: every event is lost.
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000004").await;
    let payment = ok(start(&app, &claim).await).await;
    let token = card_token(&stripe, "4000002500003155").await;
    ok(confirm(&app, &claim, json!({"method": "card", "token": token})).await).await;
    authenticate(&stripe, &payment).await;
    assert_eq!(replacements(&app).await, 0);
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["status"], "paid");
    assert_eq!(replacements(&app).await, 1);
}

#[tokio::test]
async fn the_background_reconciliation_settles_an_intent_left_open() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000005").await;
    let payment = ok(start(&app, &claim).await).await;
    let pi = payment["payment_intent"].as_str().expect("pi");
    // The owner's browser finished the payment at the provider; nothing told the portal.
    pay_at_provider(&stripe, pi).await;
    // Not yet a minute old: left alone.
    care_server::payments::reconcile_all(&app.state)
        .await
        .expect("reconcile");
    assert_eq!(replacements(&app).await, 0);
    app.advance(61).await;
    care_server::payments::reconcile_all(&app.state)
        .await
        .expect("reconcile");
    assert_eq!(replacements(&app).await, 1);
}

#[tokio::test]
async fn webhooks_with_a_missing_wrong_or_stale_signature_change_nothing() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000006").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"].clone();
    let mut succeeded = intent(&stripe, pi.as_str().expect("pi")).await;
    succeeded["status"] = json!("succeeded");
    let body = event("evt_sig_1", "payment_intent.succeeded", &succeeded);
    let now = wall_clock();
    for signature in [
        None,
        Some(sign(&body, "whsec_wrong", now)),
        Some(sign(&body, WEBHOOK_SECRET, now - 301)),
        Some(sign(&body, WEBHOOK_SECRET, now + 301)),
        Some(format!("t={now}")),
    ] {
        let refused = problem(deliver(&app, &body, signature.clone()).await, 400).await;
        assert_eq!(refused["code"], "invalid_signature", "{signature:?}");
    }
    // A body changed after signing.
    let tampered = event(
        "evt_sig_1",
        "payment_intent.succeeded",
        &json!({"id": "pi_x"}),
    );
    let stolen = sign(&body, WEBHOOK_SECRET, now);
    assert_eq!(deliver(&app, &tampered, Some(stolen)).await.status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 0);
    assert_eq!(replacements(&app).await, 0);
    // Within 300 s it is taken, under the test clock too (moved a day on).
    app.advance(86_400).await;
    let late = sign(&body, WEBHOOK_SECRET, now - 299);
    assert_eq!(deliver(&app, &body, Some(late)).await.status(), 200);
    assert_eq!(replacements(&app).await, 1);
}

#[tokio::test]
async fn repeated_out_of_order_and_mismatched_events_count_nothing_again() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000007").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"].clone();
    let open = intent(&stripe, pi.as_str().expect("pi")).await;

    // An intent of this claim with another amount or currency, or naming another
    // claim: acknowledged, nothing changes.
    for (n, (field, value)) in [
        ("amount", json!(100)),
        ("currency", json!("eur")),
        ("metadata", json!({"claim_id": "someone-else"})),
    ]
    .into_iter()
    .enumerate()
    {
        let mut forged = open.clone();
        forged[field] = value;
        forged["status"] = json!("succeeded");
        let body = event(&format!("evt_bad_{n}"), "payment_intent.succeeded", &forged);
        assert_eq!(signed(&app, &body).await.status(), 200);
    }
    assert_eq!(replacements(&app).await, 0);
    assert_eq!(
        app.get_json(&format!("/api/claims/{claim}")).await["status"],
        "awaiting_payment"
    );

    let mut paid = open.clone();
    paid["status"] = json!("succeeded");
    let success = event("evt_ok", "payment_intent.succeeded", &paid);
    for _ in 0..3 {
        assert_eq!(signed(&app, &success).await.status(), 200);
    }
    assert_eq!(replacements(&app).await, 1);
    // A failure delivered after the success changes nothing.
    let mut failed = open.clone();
    failed["last_payment_error"] = json!({"code": "card_declined"});
    let late_failure = event("evt_late_fail", "payment_intent.payment_failed", &failed);
    assert_eq!(signed(&app, &late_failure).await.status(), 200);
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["status"], "paid");
    assert_eq!(replacements(&app).await, 1);
    // An unknown kind of event is acknowledged.
    let other = event("evt_other", "charge.refunded", &json!({}));
    assert_eq!(signed(&app, &other).await.status(), 200);
}

#[tokio::test]
async fn blik_a_bad_code_is_refused_a_failure_explained_and_a_success_paid() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000008").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"].clone();
    for code in ["12345", "1234567", "12a456", ""] {
        let refused = problem(
            confirm(&app, &claim, json!({"method": "blik", "code": code})).await,
            422,
        )
        .await;
        assert_eq!(refused["field"], "code", "{code:?}");
    }
    // localstripe cannot play BLIK: the code is passed on, and the bank's answers are
    // the tests' own signed events.
    let _ = confirm(&app, &claim, json!({"method": "blik", "code": "123456"})).await;
    let mut open = intent(&stripe, pi.as_str().expect("pi")).await;
    open["last_payment_error"] =
        json!({"code": "payment_method_provider_decline", "decline_code": "blik_code_expired"});
    let failed = event("evt_blik_fail", "payment_intent.payment_failed", &open);
    assert_eq!(signed(&app, &failed).await.status(), 200);
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["payment"]["last_failure"], "blik_code_invalid");

    let _ = confirm(&app, &claim, json!({"method": "blik", "code": "654321"})).await;
    open["status"] = json!("succeeded");
    open["last_payment_error"] = Value::Null;
    let paid = event("evt_blik_ok", "payment_intent.succeeded", &open);
    assert_eq!(signed(&app, &paid).await.status(), 200);
    assert_eq!(claim_reaches(&app, &claim, "paid").await["status"], "paid");
    let receipt = app
        .count("SELECT COUNT(*) FROM outbox WHERE body LIKE '%Sposób: BLIK%'")
        .await;
    assert_eq!(receipt, 1);
}

#[tokio::test]
async fn a_transfer_recorded_meanwhile_cancels_the_intent_and_a_late_success_is_refunded() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, true).await;
    let (claim, service) = awaiting_payment(&app, "PAY0000000009").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"]
        .as_str()
        .expect("pi")
        .to_owned();
    ok(app.step(&service, &claim, "payment", json!({})).await).await;
    assert_eq!(intent(&stripe, &pi).await["status"], "canceled");
    assert_eq!(replacements(&app).await, 1);

    // Another claim: the owner pays at the provider just as staff record a transfer.
    let (second, service) = awaiting_payment(&app, "PAY0000000010").await;
    let pi = ok(start(&app, &second).await).await["payment_intent"]
        .as_str()
        .expect("pi")
        .to_owned();
    pay_at_provider(&stripe, &pi).await;
    ok(app.step(&service, &second, "payment", json!({})).await).await;
    // The success arrives for a claim paid already: given back, counted once.
    let mut refunded = false;
    for _ in 0..60 {
        let status = app
            .count(&format!(
                "SELECT COUNT(*) FROM payments WHERE intent_id = '{pi}' AND status = 'refunded'"
            ))
            .await;
        if status == 1 {
            refunded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refunded, "the duplicate payment was refunded");
    let charge = &intent(&stripe, &pi).await["latest_charge"];
    assert!(!charge.is_null());
    assert_eq!(replacements(&app).await, 2, "one per claim");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.refund_duplicate'")
            .await,
        1
    );
}

#[tokio::test]
async fn concurrent_starts_make_one_intent() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000011").await;
    let starts = (0..8).map(|_| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/claims/{claim}/payment")),
        );
        tokio::spawn(async move { client.post(url).json(&json!({})).send().await })
    });
    let mut intents = Vec::new();
    for started in futures::future::join_all(starts).await {
        let response = started.expect("task").expect("sent");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        intents.push(body["payment_intent"].as_str().expect("pi").to_owned());
    }
    intents.dedup();
    assert_eq!(intents.len(), 1, "{intents:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, 1);
}

#[tokio::test]
async fn two_instances_receiving_the_same_event_count_it_once() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let other = app
        .restart_with(|s| s.stripe = stripe_settings(&stripe))
        .await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000012").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"].clone();
    let mut paid = intent(&stripe, pi.as_str().expect("pi")).await;
    paid["status"] = json!("succeeded");
    let body = event("evt_twice", "payment_intent.succeeded", &paid);
    let (a, b) = tokio::join!(signed(&app, &body), signed(&other, &body));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(replacements(&app).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_events").await, 1);
}

#[tokio::test]
async fn without_a_provider_online_payment_is_refused_and_the_webhook_is_absent() {
    let app = spawn_app().await;
    let (claim, _) = awaiting_payment(&app, "PAY0000000013").await;
    let doc = app.get_json(&format!("/api/claims/{claim}")).await;
    assert_eq!(doc["payment"]["online"], false);
    let refused = problem(start(&app, &claim).await, 409).await;
    assert_eq!(refused["code"], "online_payment_unavailable");
    let refused = problem(
        confirm(&app, &claim, json!({"method": "blik", "code": "123456"})).await,
        409,
    )
    .await;
    assert_eq!(refused["code"], "online_payment_unavailable");
    let body = event("evt_none", "payment_intent.succeeded", &json!({}));
    assert_eq!(signed(&app, &body).await.status(), 404);
}

#[tokio::test]
async fn a_claim_that_owes_nothing_has_no_payment_to_start() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    app.add_device("PAY0000000014", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, "PAY0000000014").await.status(), 201);
    let (claim, _) = app.file_claim("PAY0000000014").await;
    let refused = problem(start(&app, &claim).await, 409).await;
    assert_eq!(refused["code"], "invalid_state");
    let refused = problem(
        confirm(&app, &claim, json!({"method": "card", "token": "tok_abc"})).await,
        409,
    )
    .await;
    assert_eq!(refused["code"], "invalid_state");
    let missing = problem(start(&app, &"0".repeat(32)).await, 404).await;
    assert_eq!(missing["code"], "not_found");
}

async fn refund(app: &TestApp, service: &str, claim: &str, reason: &str) -> reqwest::Response {
    app.step(service, claim, "refund", json!({"reason": reason}))
        .await
}

#[tokio::test]
async fn a_transfer_is_refunded_once_and_the_replacement_given_back() {
    let app = spawn_app().await;
    let (claim, service) = awaiting_payment(&app, "PAY0000000015").await;
    ok(app.step(&service, &claim, "payment", json!({})).await).await;
    assert_eq!(replacements(&app).await, 1);
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    assert_eq!(refund(&app, &reviewer, &claim, "x").await.status(), 403);
    let empty = problem(refund(&app, &service, &claim, "").await, 422).await;
    assert_eq!(empty["field"], "reason");
    assert_eq!(replacements(&app).await, 1);

    let refunded = ok(refund(&app, &service, &claim, "no part in stock").await).await;
    assert_eq!(refunded["claim"]["status"], "refunded");
    assert_eq!(refunded["paid_via"], "transfer");
    assert_eq!(refunded["refund_reference"], "transfer");
    assert_eq!(refunded["refund_reason"], "no part in stock");
    assert_eq!(refunded["allowed_steps"], json!([]));
    assert_eq!(replacements(&app).await, 0);
    let coverage = app.get_json("/api/coverage/PAY0000000015").await;
    assert_eq!(coverage["replacements"]["used"], 0);
    assert_eq!(coverage["next_fee_grosze"], 16900);
    // A second refund is refused: never more than was paid.
    let again = problem(refund(&app, &service, &claim, "again").await, 409).await;
    assert_eq!(again["code"], "invalid_state");
    let mail = app
        .count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%zwrot płatności%'")
        .await;
    assert_eq!(mail, 1);
}

#[tokio::test]
async fn a_shipped_or_unpaid_claim_is_not_refunded() {
    let app = spawn_app().await;
    let (claim, service) = awaiting_payment(&app, "PAY0000000016").await;
    let unpaid = problem(refund(&app, &service, &claim, "x").await, 409).await;
    assert_eq!(unpaid["code"], "invalid_state");
    ok(app.step(&service, &claim, "payment", json!({})).await).await;
    ok(app
        .step(&service, &claim, "ship", json!({"tracking": "PX1"}))
        .await)
    .await;
    let shipped = problem(refund(&app, &service, &claim, "x").await, 409).await;
    assert_eq!(shipped["code"], "invalid_state");
    assert_eq!(replacements(&app).await, 1);
}

#[tokio::test]
async fn an_online_payment_is_refunded_through_the_provider() {
    let Some(stripe) = localstripe() else { return };
    let app = paying_app(&stripe, false).await;
    let (claim, service) = awaiting_payment(&app, "PAY0000000017").await;
    let pi = ok(start(&app, &claim).await).await["payment_intent"]
        .as_str()
        .expect("pi")
        .to_owned();
    let token = card_token(&stripe, "4242424242424242").await;
    ok(confirm(&app, &claim, json!({"method": "card", "token": token})).await).await;
    let refunded = ok(refund(&app, &service, &claim, "device lost in transit").await).await;
    assert_eq!(refunded["claim"]["status"], "refunded");
    assert_eq!(refunded["paid_via"], "stripe");
    assert_eq!(refunded["payment_reference"], pi.as_str());
    let reference = refunded["refund_reference"].as_str().expect("a refund");
    assert!(reference.starts_with("re_"), "{reference}");
    let at_stripe: Value = reqwest::Client::new()
        .get(format!("{stripe}/v1/refunds/{reference}"))
        .basic_auth(SECRET_KEY, Some(""))
        .send()
        .await
        .expect("localstripe")
        .json()
        .await
        .expect("a refund");
    assert_eq!(at_stripe["amount"], 16900);
    assert_eq!(replacements(&app).await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM payments WHERE intent_id = '{pi}' AND status = 'refunded'"
        ))
        .await,
        1
    );
    assert_eq!(
        problem(refund(&app, &service, &claim, "again").await, 409).await["code"],
        "invalid_state"
    );
}
