//! The client's address behind a load balancer (`CARE_CLIENT_IP`): rate limits count
//! each client under the address the load balancer saw, a client cannot escape them
//! by forging a header, and a request that bypassed the load balancer changes nothing.

use crate::helpers::{TestApp, activation, problem, spawn_app, spawn_app_with};
use axum_client_ip::ClientIpSource;
use care_rules::{Code, Plan};

async fn activate_from(
    app: &TestApp,
    forwarded_for: Option<&str>,
    code: &Code,
    serial: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/activations"))
        .json(&activation(code, serial));
    if let Some(chain) = forwarded_for {
        request = request.header("X-Forwarded-For", chain);
    }
    request.send().await.expect("sent")
}

/// Ten wrong codes, the per-client limit, each sent with the given header.
async fn ten_wrong_codes(app: &TestApp, forwarded_for: impl Fn(u8) -> String) {
    for i in 0..10u8 {
        let serial = format!("SN{i:010}");
        app.add_device(&serial, "osmo-360", None).await;
        let guess = Code::from_payload([i + 10; 15]);
        let refused = activate_from(app, Some(&forwarded_for(i)), &guess, &serial).await;
        assert_eq!(problem(refused, 404).await["code"], "code_not_found");
    }
}

async fn behind_a_load_balancer() -> TestApp {
    spawn_app_with(|settings| settings.client_ip = ClientIpSource::RightmostXForwardedFor).await
}

#[tokio::test]
async fn behind_a_load_balancer_each_client_has_its_own_limit() {
    let app = behind_a_load_balancer().await;
    ten_wrong_codes(&app, |_| "203.0.113.7".to_owned()).await;
    app.add_device("SN0000000010", "osmo-360", None).await;
    app.add_device("SN0000000011", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let limited = activate_from(&app, Some("203.0.113.7"), &code, "SN0000000010").await;
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");
    // Another customer behind the same load balancer is not held back.
    let other = activate_from(&app, Some("198.51.100.9"), &code, "SN0000000011").await;
    assert_eq!(other.status(), 201);
}

#[tokio::test]
async fn a_forged_leftmost_address_does_not_escape_the_limit() {
    let app = behind_a_load_balancer().await;
    // The client writes what it likes; the load balancer appends what it saw.
    ten_wrong_codes(&app, |i| format!("10.0.0.{i}, 203.0.113.7")).await;
    app.add_device("SN0000000010", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let limited = activate_from(&app, Some("10.0.0.99, 203.0.113.7"), &code, "SN0000000010").await;
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");
}

#[tokio::test]
async fn a_request_that_bypassed_the_load_balancer_is_refused_and_changes_nothing() {
    let app = behind_a_load_balancer().await;
    app.add_device("SN0000000010", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    for header in [None, Some("not an address")] {
        let refused = activate_from(&app, header, &code, "SN0000000010").await;
        let body = problem(refused, 422).await;
        assert_eq!(body["code"], "invalid_request");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("client's address")),
            "{body}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM coverages").await, 0);
    let through = activate_from(&app, Some("198.51.100.9"), &code, "SN0000000010").await;
    assert_eq!(through.status(), 201);
}

#[tokio::test]
async fn without_a_load_balancer_the_header_is_ignored() {
    let app = spawn_app().await;
    // Every request forges a new address; all come from the same connection peer.
    ten_wrong_codes(&app, |i| format!("192.0.2.{i}")).await;
    app.add_device("SN0000000010", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let limited = activate_from(&app, Some("192.0.2.200"), &code, "SN0000000010").await;
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");
}

#[tokio::test]
async fn a_strangers_wrong_codes_never_lock_the_owner_of_the_serial_out() {
    let app = behind_a_load_balancer().await;
    app.add_device("SN0000000099", "osmo-360", None).await;
    // A stranger guesses ten times against the owner's serial, from five addresses.
    for i in 0..10u8 {
        let guess = Code::from_payload([i + 30; 15]);
        let address = format!("198.51.100.{}", i / 2);
        let refused = activate_from(&app, Some(&address), &guess, "SN0000000099").await;
        assert_eq!(problem(refused, 404).await["code"], "code_not_found");
    }
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let owner = activate_from(&app, Some("203.0.113.50"), &code, "SN0000000099").await;
    assert_eq!(owner.status(), 201, "the owner is not locked out");
}

#[tokio::test]
async fn an_ipv6_client_is_limited_as_its_64_network() {
    let app = behind_a_load_balancer().await;
    // Ten guesses, each from another address of one /64.
    ten_wrong_codes(&app, |i| format!("2001:db8:1:2::{i:x}")).await;
    app.add_device("SN0000000010", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let limited = activate_from(&app, Some("2001:db8:1:2:ffff::1"), &code, "SN0000000010").await;
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");
    let neighbour = activate_from(&app, Some("2001:db8:1:3::1"), &code, "SN0000000010").await;
    assert_eq!(neighbour.status(), 201);
}
