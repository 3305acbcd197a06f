//! Claims: every transition and every refused one, R10 at the end of coverage, fees
//! across an extension (R8), the coverage moving to a replacement unit (R11), and
//! concurrent steps that must not count a replacement twice.

use crate::helpers::{DAY, TestApp, problem, spawn_app};
use care_rules::Plan;
use care_rules::Role;
use serde_json::{Value, json};

const SERIAL: &str = "SN0000000001";

async fn covered(app: &TestApp, serial: &str) {
    app.add_device(serial, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, serial).await.status(), 201);
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

/// Takes a claim from filing to paid with the owner's `option`.
async fn paid(app: &TestApp, service: &str, serial: &str, option: &str) -> (String, Value) {
    let (id, _) = app.file_claim(serial).await;
    ok(app.step(service, &id, "receive", json!({})).await).await;
    ok(app
        .step(
            service,
            &id,
            "quote",
            json!({"amount_grosze": 45000, "note": "new gimbal arm"}),
        )
        .await)
    .await;
    ok(app.choose(&id, option).await).await;
    let body = ok(app.step(service, &id, "payment", json!({})).await).await;
    (id, body)
}

#[tokio::test]
async fn a_care_refresh_claim_runs_from_filing_to_closing() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, created) = app.file_claim(SERIAL).await;
    assert_eq!(id.len(), 32);
    assert_eq!(created["status"], "submitted");
    assert_eq!(
        created["care_refresh"],
        json!({"eligible": true, "fee_grosze": 16900})
    );

    let received = ok(app.step(&service, &id, "receive", json!({})).await).await;
    assert_eq!(received["claim"]["status"], "received");
    assert_eq!(
        received["allowed_steps"],
        json!(["quote", "warranty", "decline"])
    );
    let quoted = ok(app
        .step(
            &service,
            &id,
            "quote",
            json!({"amount_grosze": 45000, "note": "new gimbal arm"}),
        )
        .await)
    .await;
    assert_eq!(
        quoted["claim"]["quote"],
        json!({"amount_grosze": 45000, "note": "new gimbal arm"})
    );
    assert_eq!(quoted["claim"]["care_refresh"]["fee_grosze"], 16900);

    let chosen = ok(app.choose(&id, "care_refresh").await).await;
    assert_eq!(chosen["status"], "awaiting_payment");
    assert_eq!(chosen["payment"]["amount_grosze"], 16900);
    assert_eq!(
        chosen["payment"]["reference"],
        format!("CR-{}", id[..8].to_uppercase())
    );
    let paid = ok(app.step(&service, &id, "payment", json!({})).await).await;
    assert_eq!(paid["claim"]["status"], "paid");
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    assert_eq!(
        coverage["replacements"],
        json!({"total": 2, "used": 1, "remaining": 1})
    );
    assert_eq!(coverage["next_fee_grosze"], 17900);

    let shipped = ok(app
        .step(&service, &id, "ship", json!({"tracking": "PX123456789PL"}))
        .await)
    .await;
    assert_eq!(shipped["claim"]["shipment"]["tracking"], "PX123456789PL");
    let closed = ok(app.step(&service, &id, "close", json!({})).await).await;
    assert_eq!(closed["allowed_steps"], json!([]));

    let doc: Value = app.get_json(&format!("/api/claims/{id}")).await;
    let history: Vec<&str> = doc["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(
        history,
        [
            "submitted",
            "received",
            "quoted",
            "awaiting_payment",
            "paid",
            "shipped",
            "closed"
        ]
    );
    let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM outbox ORDER BY id")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails");
    assert!(
        subjects.iter().any(|s| s.contains("zgłoszenie CR-")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("wycena naprawy")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("wysłaliśmy przesyłkę")),
        "{subjects:?}"
    );
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails");
    assert!(bodies.iter().any(|b| b.contains("PX123456789PL")));
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("450,00 zł") && b.contains("169,00 zł"))
    );
    let audit = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE subject = 'claim:{id}'"
        ))
        .await;
    assert_eq!(audit, 7);
}

#[tokio::test]
async fn a_claim_tells_its_number_and_where_the_device_goes() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.service_address = "DJI ARS Serwis, ul. Testowa 5, 02-222 Kraków".to_owned();
        s.bank_account = "PL10 1050 0099 7603 1234 5678 9123".to_owned();
    })
    .await;
    covered(&app, SERIAL).await;
    let (id, created) = app.file_claim(SERIAL).await;
    let number = format!("CR-{}", id[..8].to_uppercase());
    assert_eq!(created["number"], number);
    let doc = ok(app.get(&format!("/api/claims/{id}")).await).await;
    assert_eq!(doc["number"], number);
    assert_eq!(
        doc["service_address"],
        "DJI ARS Serwis, ul. Testowa 5, 02-222 Kraków"
    );
    // The mail says both.
    let (subject, body): (String, String) =
        sqlx::query_as("SELECT subject, body FROM outbox WHERE subject LIKE '%CR-%'")
            .fetch_one(&app.pool().await)
            .await
            .expect("the claim's mail");
    assert!(subject.contains(&number), "{subject}");
    assert!(
        body.contains("DJI ARS Serwis, ul. Testowa 5, 02-222 Kraków"),
        "{body}"
    );
    // The transfer goes to the configured account, titled with the number.
    let service = app.staff_cookie(Role::Service).await;
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
    ok(app.choose(&id, "repair").await).await;
    let doc = ok(app.get(&format!("/api/claims/{id}")).await).await;
    assert_eq!(
        doc["payment"]["account"],
        "PL10 1050 0099 7603 1234 5678 9123"
    );
    assert_eq!(doc["payment"]["reference"], number);
    // The number is no key: the claim is reached by its id only.
    assert_eq!(
        app.get(&format!("/api/claims/{number}")).await.status(),
        404
    );
}

#[tokio::test]
async fn a_repair_is_paid_at_the_quote_and_uses_no_replacement() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, body) = paid(&app, &service, SERIAL, "repair").await;
    assert_eq!(body["claim"]["option"], "repair");
    assert_eq!(app.count("SELECT COUNT(*) FROM replacements").await, 0);
    let doc: Value = app.get_json(&format!("/api/claims/{id}")).await;
    assert_eq!(doc["status"], "paid");
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    assert_eq!(coverage["replacements"]["used"], 0);
}

#[tokio::test]
async fn warranty_and_decline_cost_nothing_and_end_in_a_return() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (warranty, _) = app.file_claim(SERIAL).await;
    ok(app.step(&service, &warranty, "receive", json!({})).await).await;
    ok(app.step(&service, &warranty, "warranty", json!({})).await).await;
    ok(app
        .step(&service, &warranty, "ship", json!({"tracking": "PX1"}))
        .await)
    .await;
    let (declined, _) = app.file_claim(SERIAL).await;
    let refused = problem(
        app.step(&service, &declined, "decline", json!({})).await,
        422,
    )
    .await;
    assert_eq!(refused["field"], "reason");
    let body = ok(app
        .step(
            &service,
            &declined,
            "decline",
            json!({"reason": "water damage beyond repair"}),
        )
        .await)
    .await;
    assert_eq!(
        body["claim"]["decline_reason"],
        "water damage beyond repair"
    );
    ok(app
        .step(&service, &declined, "ship", json!({"tracking": "PX2"}))
        .await)
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM replacements").await, 0);
    let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM outbox")
        .fetch_all(&app.pool().await)
        .await
        .expect("emails");
    assert!(subjects.iter().any(|s| s.contains("naprawa gwarancyjna")));
    assert!(subjects.iter().any(|s| s.contains("zgłoszenie odrzucone")));
}

#[tokio::test]
async fn every_step_outside_its_states_is_refused_naming_the_state() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, _) = app.file_claim(SERIAL).await;
    for (step, body) in [
        ("quote", json!({"amount_grosze": 100, "note": "x"})),
        ("payment", json!({})),
        ("ship", json!({"tracking": "PX1"})),
        ("close", json!({})),
    ] {
        let refused = problem(app.step(&service, &id, step, body).await, 409).await;
        assert_eq!(refused["code"], "invalid_state");
        assert!(
            refused["detail"]
                .as_str()
                .is_some_and(|d| d.contains("submitted")),
            "{refused}"
        );
    }
    let refused = problem(app.choose(&id, "repair").await, 409).await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("submitted"))
    );
    ok(app.step(&service, &id, "receive", json!({})).await).await;
    let again = problem(app.step(&service, &id, "receive", json!({})).await, 409).await;
    assert!(
        again["detail"]
            .as_str()
            .is_some_and(|d| d.contains("received"))
    );
    ok(app
        .step(
            &service,
            &id,
            "quote",
            json!({"amount_grosze": 100, "note": "x"}),
        )
        .await)
    .await;
    let early = problem(app.step(&service, &id, "payment", json!({})).await, 409).await;
    assert!(
        early["detail"]
            .as_str()
            .is_some_and(|d| d.contains("quoted"))
    );
    ok(app.choose(&id, "repair").await).await;
    let twice = problem(app.choose(&id, "care_refresh").await, 409).await;
    assert!(
        twice["detail"]
            .as_str()
            .is_some_and(|d| d.contains("awaiting_payment"))
    );
    let doc: Value = app.get_json(&format!("/api/claims/{id}")).await;
    assert_eq!(
        doc["option"], "repair",
        "the refused choice changed nothing"
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    for (body, status, field) in [
        (
            json!({"serial": SERIAL, "description": "", "customer": crate::helpers::customer(), "shipping_address": "ul. Długa 1"}),
            422,
            "description",
        ),
        (
            json!({"serial": SERIAL, "description": "broken", "customer": crate::helpers::customer(), "shipping_address": "x"}),
            422,
            "shipping_address",
        ),
        (
            json!({"serial": SERIAL, "description": "broken", "customer": {"name": "Jan", "email": "no"}, "shipping_address": "ul. Długa 1"}),
            422,
            "customer.email",
        ),
        (
            // An address lettre could not send to.
            json!({"serial": SERIAL, "description": "broken", "customer": {"name": "Jan", "email": "jan..k@example.pl"}, "shipping_address": "ul. Długa 1"}),
            422,
            "customer.email",
        ),
        (
            // A name that would put a link into mail.
            json!({"serial": SERIAL, "description": "broken", "customer": {"name": "Win at https://evil.example", "email": "jan@example.pl"}, "shipping_address": "ul. Długa 1"}),
            422,
            "customer.name",
        ),
        (
            json!({"serial": "SN9999999999", "description": "broken", "customer": crate::helpers::customer(), "shipping_address": "ul. Długa 1"}),
            404,
            "",
        ),
    ] {
        let refused = problem(app.post_json("/api/claims", &body).await, status).await;
        if !field.is_empty() {
            assert_eq!(refused["field"], field);
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM claims").await, 0);
    let (id, _) = app.file_claim(SERIAL).await;
    ok(app.step(&service, &id, "receive", json!({})).await).await;
    let refused = problem(
        app.step(
            &service,
            &id,
            "quote",
            json!({"amount_grosze": 0, "note": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(refused["field"], "amount_grosze");
    let refused = problem(app.choose(&id, "free").await, 422).await;
    assert_eq!(refused["field"], "option");
    let doc: Value = app.get_json(&format!("/api/claims/{id}")).await;
    assert_eq!(doc["status"], "received");
}

#[tokio::test]
async fn a_claim_filed_a_second_before_the_end_keeps_care_refresh_after_it() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    app.add_device("SN0000000002", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000002").await.status(), 201);
    let service = app.staff_cookie(Role::Service).await;
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    let end: care_rules::Timestamp = coverage["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let now = app.now().await;
    app.advance((end - now).as_secs() - 1).await;
    let (in_time, created) = app.file_claim(SERIAL).await;
    assert_eq!(created["care_refresh"]["eligible"], true);
    app.advance(1).await;
    let (too_late, created) = app.file_claim("SN0000000002").await;
    assert_eq!(
        created["care_refresh"],
        json!({"eligible": false, "fee_grosze": null, "refusal": "coverage_not_active"})
    );

    // A month later the device in service is still eligible, at its fee.
    app.advance(30 * DAY).await;
    let service = {
        let _ = service;
        app.staff_cookie(Role::Service).await
    };
    ok(app.step(&service, &in_time, "receive", json!({})).await).await;
    ok(app
        .step(
            &service,
            &in_time,
            "quote",
            json!({"amount_grosze": 45000, "note": "x"}),
        )
        .await)
    .await;
    ok(app.choose(&in_time, "care_refresh").await).await;
    let paid = ok(app.step(&service, &in_time, "payment", json!({})).await).await;
    assert_eq!(paid["claim"]["care_refresh"]["fee_grosze"], 16900);
    ok(app.step(&service, &too_late, "receive", json!({})).await).await;
    ok(app
        .step(
            &service,
            &too_late,
            "quote",
            json!({"amount_grosze": 45000, "note": "x"}),
        )
        .await)
    .await;
    let refused = problem(app.choose(&too_late, "care_refresh").await, 422).await;
    assert_eq!(refused["code"], "coverage_not_active");
}

#[tokio::test]
async fn fees_run_169_179_then_179_179_across_an_extension() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let mut fees = Vec::new();
    for _ in 0..2 {
        let (_, body) = paid(&app, &service, SERIAL, "care_refresh").await;
        fees.push(
            body["claim"]["care_refresh"]["fee_grosze"]
                .as_u64()
                .expect("fee"),
        );
    }
    // Both used: a new claim cannot use Care Refresh until the plan is extended.
    let (_, exhausted) = app.file_claim(SERIAL).await;
    assert_eq!(exhausted["care_refresh"]["refusal"], "no_replacements_left");
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, SERIAL).await.status(), 201);
    for _ in 0..2 {
        let (_, body) = paid(&app, &service, SERIAL, "care_refresh").await;
        fees.push(
            body["claim"]["care_refresh"]["fee_grosze"]
                .as_u64()
                .expect("fee"),
        );
    }
    assert_eq!(fees, [16900, 17900, 17900, 17900]);
    let ledger: Vec<(i64, i64)> =
        sqlx::query_as("SELECT number, fee_grosze FROM replacements ORDER BY number")
            .fetch_all(&app.pool().await)
            .await
            .expect("ledger");
    assert_eq!(ledger, [(1, 16900), (2, 17900), (3, 17900), (4, 17900)]);
    let (last, _) = app.file_claim(SERIAL).await;
    ok(app.step(&service, &last, "receive", json!({})).await).await;
    ok(app
        .step(
            &service,
            &last,
            "quote",
            json!({"amount_grosze": 100, "note": "x"}),
        )
        .await)
    .await;
    assert_eq!(
        problem(app.choose(&last, "care_refresh").await, 422).await["code"],
        "no_replacements_left"
    );
}

#[tokio::test]
async fn a_shipped_replacement_unit_takes_over_the_coverage() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, _) = paid(&app, &service, SERIAL, "care_refresh").await;
    app.add_device("OTHER00001", "rs-3", None).await;
    let wrong = problem(
        app.step(
            &service,
            &id,
            "ship",
            json!({"tracking": "PX1", "replacement_serial": "OTHER00001"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        (wrong["code"].as_str(), wrong["field"].as_str()),
        (Some("code_product_mismatch"), Some("replacement_serial"))
    );
    let same = problem(
        app.step(
            &service,
            &id,
            "ship",
            json!({"tracking": "PX1", "replacement_serial": SERIAL}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(same["field"], "replacement_serial");
    let shipped = ok(app
        .step(
            &service,
            &id,
            "ship",
            json!({"tracking": "PX1", "replacement_serial": "new-0000-0001"}),
        )
        .await)
    .await;
    assert_eq!(
        shipped["claim"]["shipment"]["replacement_serial"],
        "NEW00000001"
    );
    let old: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    assert_eq!(old["replaced_by"], "NEW00000001");
    assert_eq!(old["status"], "none");
    let new: Value = app.get_json("/api/coverage/NEW00000001").await;
    assert_eq!(new["status"], "active");
    assert_eq!(
        new["replacements"],
        json!({"total": 2, "used": 1, "remaining": 1})
    );
    assert_eq!(new["next_fee_grosze"], 17900);
    // A repair claim ships no new unit.
    let (repair, _) = paid(&app, &service, "NEW00000001", "repair").await;
    let refused = problem(
        app.step(
            &service,
            &repair,
            "ship",
            json!({"tracking": "PX2", "replacement_serial": "NEW00000002"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(refused["field"], "replacement_serial");
}

#[tokio::test]
async fn concurrent_payments_count_one_replacement() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, _) = app.file_claim(SERIAL).await;
    ok(app.step(&service, &id, "receive", json!({})).await).await;
    ok(app
        .step(
            &service,
            &id,
            "quote",
            json!({"amount_grosze": 100, "note": "x"}),
        )
        .await)
    .await;
    ok(app.choose(&id, "care_refresh").await).await;
    let attempts = (0..10).map(|_| {
        let (client, url, cookie) = (
            app.client.clone(),
            app.url(&format!("/api/staff/claims/{id}/payment")),
            service.clone(),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .header("cookie", cookie)
                .json(&json!({}))
                .send()
                .await
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("sent").status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM replacements").await, 1);
}

#[tokio::test]
async fn two_claims_racing_for_the_last_replacement_get_one() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    paid(&app, &service, SERIAL, "care_refresh").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (id, created) = app.file_claim(SERIAL).await;
        assert_eq!(created["care_refresh"]["fee_grosze"], 17900);
        ok(app.step(&service, &id, "receive", json!({})).await).await;
        ok(app
            .step(
                &service,
                &id,
                "quote",
                json!({"amount_grosze": 100, "note": "x"}),
            )
            .await)
        .await;
        ok(app.choose(&id, "care_refresh").await).await;
        ids.push(id);
    }
    let attempts = ids.iter().map(|id| {
        let (client, url, cookie) = (
            app.client.clone(),
            app.url(&format!("/api/staff/claims/{id}/payment")),
            service.clone(),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .header("cookie", cookie)
                .json(&json!({}))
                .send()
                .await
        })
    });
    let mut statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("sent").status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422]);
    assert_eq!(app.count("SELECT COUNT(*) FROM replacements").await, 2);
    let coverage: Value = app.get_json(&format!("/api/coverage/{SERIAL}")).await;
    assert_eq!(coverage["replacements"]["remaining"], 0);
}

#[tokio::test]
async fn replacements_shipped_as_one_new_unit_at_once_move_one_coverage() {
    let app = spawn_app().await;
    let service = app.staff_cookie(Role::Service).await;
    let mut claims = Vec::new();
    for i in 1..=6 {
        let serial = format!("SN000000000{i}");
        covered(&app, &serial).await;
        claims.push(paid(&app, &service, &serial, "care_refresh").await.0);
    }
    let ships = claims.into_iter().map(|claim| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/staff/claims/{claim}/ship")),
        );
        let cookie = service.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .header("cookie", cookie)
                .json(&json!({"tracking": "PX1", "replacement_serial": "NEW0000000001"}))
                .send()
                .await
        })
    });
    let mut statuses = Vec::new();
    for ship in futures::future::join_all(ships).await {
        statuses.push(ship.expect("task").expect("sent").status().as_u16());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 422, 422, 422, 422, 422],
        "one unit takes one coverage"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM coverages WHERE serial = 'NEW0000000001'")
            .await,
        1
    );
}

#[tokio::test]
async fn reviewers_and_strangers_cannot_act_on_claims() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let (id, _) = app.file_claim(SERIAL).await;
    for (method, path) in [
        ("GET", "/api/staff/claims".to_owned()),
        ("GET", format!("/api/staff/claims/{id}")),
        ("POST", format!("/api/staff/claims/{id}/receive")),
    ] {
        let request = |cookie: Option<&str>| {
            let mut r = if method == "GET" {
                app.client.get(app.url(&path))
            } else {
                app.client.post(app.url(&path)).json(&json!({}))
            };
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r.send()
        };
        assert_eq!(
            problem(request(Some(&reviewer)).await.expect("sent"), 403).await["code"],
            "forbidden"
        );
        assert_eq!(
            problem(request(None).await.expect("sent"), 401).await["code"],
            "unauthorized"
        );
    }
    let doc: Value = app.get_json(&format!("/api/claims/{id}")).await;
    assert_eq!(doc["status"], "submitted");
}

#[tokio::test]
async fn a_claim_link_reaches_its_own_claim_only() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let (mine, _) = app.file_claim(SERIAL).await;
    let (theirs, _) = app.file_claim(SERIAL).await;
    let doc: Value = app.get_json(&format!("/api/claims/{mine}")).await;
    assert_eq!(doc["id"], mine.as_str());
    assert!(!doc.to_string().contains(&theirs));
    // The owner's own document shows no contact data, only the claim.
    assert!(!doc.to_string().contains("jan.kowalski@example.pl"));
    // Another id one digit away from the owner's.
    let last = if mine.ends_with('0') { '1' } else { '0' };
    let guessed = format!("{}{last}", &mine[..31]);
    assert_eq!(
        problem(app.get(&format!("/api/claims/{guessed}")).await, 404).await["code"],
        "not_found"
    );
    assert_eq!(
        problem(app.choose(&guessed, "repair").await, 404).await["code"],
        "not_found"
    );
}

#[tokio::test]
async fn the_staff_device_page_shows_coverage_ledger_claims_and_audit() {
    let app = spawn_app().await;
    covered(&app, SERIAL).await;
    let service = app.staff_cookie(Role::Service).await;
    let (id, _) = paid(&app, &service, SERIAL, "care_refresh").await;
    let page = ok(app
        .client
        .get(app.url(&format!("/api/staff/devices/{SERIAL}")))
        .header("cookie", &service)
        .send()
        .await
        .expect("sent"))
    .await;
    assert_eq!(page["device"]["coverage"]["replacements"]["used"], 1);
    assert_eq!(page["ledger"][0]["fee_grosze"], 16900);
    assert_eq!(page["ledger"][0]["claim_id"], id.as_str());
    assert_eq!(page["claims"][0]["email"], "j***@example.pl");
    assert_eq!(page["claims"][0]["customer"], "Jan K.");
    let actions: Vec<&str> = page["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert!(actions.contains(&"coverage.activated"), "{actions:?}");
    assert!(actions.contains(&"claim.paid"), "{actions:?}");
    let queue = ok(app
        .client
        .get(app.url("/api/staff/claims?status=paid"))
        .header("cookie", &service)
        .send()
        .await
        .expect("sent"))
    .await;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(queue["next_cursor"], serde_json::Value::Null);
    assert!(
        !queue.to_string().contains("kowalski@"),
        "lists mask personal data"
    );
    assert_eq!(
        problem(app.get(&format!("/api/staff/devices/{SERIAL}")).await, 401).await["code"],
        "unauthorized"
    );
}
