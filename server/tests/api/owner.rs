//! The owner's page behind an emailed link (issue 17): the ask that answers alike for
//! every address, the single-use link, the session, and an overview of exactly one
//! address's records.

use crate::helpers::{TestApp, activation, problem, spawn_app};
use care_rules::Plan;
use care_server::owner::links::send_links;
use serde_json::{Value, json};

const OWNER: &str = "jan.kowalski@example.pl";

async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/api/owner/access", &json!({ "email": email }))
        .await
}

/// Answers the asks now (the request only records them) and returns the tokens of
/// the links mailed to `email`, oldest first.
async fn links_to(app: &TestApp, email: &str) -> Vec<String> {
    send_links(&app.state).await.expect("links sent");
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE lower(to_addr) = lower($1) AND subject LIKE '%link%' ORDER BY id",
    )
    .bind(email)
    .fetch_all(&app.pool().await)
    .await
    .expect("outbox");
    bodies
        .iter()
        .map(|body| {
            let at = body.find("/me#token=").expect("a sign-in link") + "/me#token=".len();
            body[at..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

/// Trades a token for a session: the response, and the cookie it set, if any.
async fn sign_in(app: &TestApp, token: &str) -> (u16, Option<String>) {
    let response = app
        .post_json("/api/owner/session", &json!({ "token": token }))
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), cookie)
}

/// A request to `path` with the session of `cookie` (a `Set-Cookie` value).
fn with_session(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
) -> reqwest::RequestBuilder {
    let pair = cookie.split(';').next().expect("name=value");
    app.client
        .request(method, app.url(path))
        .header("cookie", pair)
}

async fn overview(app: &TestApp, cookie: &str) -> reqwest::Response {
    with_session(app, reqwest::Method::GET, "/api/owner/overview", cookie)
        .send()
        .await
        .expect("sent")
}

/// An owner with an activated device.
async fn owner_with_device(app: &TestApp, serial: &str) {
    app.add_device(serial, "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, serial).await.status(), 201);
}

#[tokio::test]
async fn a_link_signs_the_owner_in_once() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    // Matched whatever the case the address is typed in.
    assert_eq!(ask(&app, "Jan.Kowalski@EXAMPLE.pl").await.status(), 202);
    let tokens = links_to(&app, OWNER).await;
    assert_eq!(tokens.len(), 1, "one link");
    assert!(tokens[0].len() >= 32, "at least 128 random bits in hex");
    let (status, cookie) = sign_in(&app, &tokens[0]).await;
    assert_eq!(status, 204);
    let cookie = cookie.expect("a session cookie");
    for attribute in [
        "care_owner=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/owner",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let response = overview(&app, &cookie).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let doc: Value = response.json().await.expect("json");
    assert_eq!(doc["email"], OWNER);
    assert_eq!(doc["devices"][0]["serial"], "SN0000000001");
    assert_eq!(doc["devices"][0]["status"], "active");
    assert_eq!(doc["devices"][0]["replacements"]["remaining"], 2);
    // The same link again: refused, however often.
    for _ in 0..2 {
        let response = app
            .post_json("/api/owner/session", &json!({ "token": tokens[0] }))
            .await;
        assert_eq!(problem(response, 401).await["code"], "unauthorized");
    }
    // Signing out ends the session on the server, not only in the browser.
    let response = with_session(&app, reqwest::Method::POST, "/api/owner/logout", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    assert_eq!(
        problem(overview(&app, &cookie).await, 401).await["code"],
        "unauthorized"
    );
}

/// A local part may hold letters of any script. PostgreSQL's `lower()` folds `Ł`, Rust's
/// ASCII lower-casing of the ask and SQLite's `lower()` do not: an address stored with
/// one is still matched as typed, on both databases.
#[tokio::test]
async fn an_address_with_a_capital_outside_ascii_gets_its_link() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let mut body = activation(&code, "SN0000000001");
    body["customer"]["email"] = json!("Łucja.Nowak@example.pl");
    assert_eq!(app.post_json("/api/activations", &body).await.status(), 201);
    assert_eq!(ask(&app, "Łucja.Nowak@Example.PL").await.status(), 202);
    let tokens = links_to(&app, "Łucja.Nowak@example.pl").await;
    assert_eq!(tokens.len(), 1, "the link");
    let (status, cookie) = sign_in(&app, &tokens[0]).await;
    assert_eq!(status, 204);
    let doc: Value = overview(&app, &cookie.expect("a session cookie"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(doc["devices"][0]["serial"], "SN0000000001");
}

#[tokio::test]
async fn a_link_works_until_its_thirtieth_minute() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    ask(&app, OWNER).await;
    ask(&app, OWNER).await;
    let tokens = links_to(&app, OWNER).await;
    assert_eq!(tokens.len(), 2);
    app.advance(30 * 60 - 1).await;
    assert_eq!(sign_in(&app, &tokens[0]).await.0, 204, "a second before");
    app.advance(1).await;
    let response = app
        .post_json("/api/owner/session", &json!({ "token": tokens[1] }))
        .await;
    assert_eq!(
        problem(response, 401).await["code"],
        "unauthorized",
        "at 30 min"
    );
}

#[tokio::test]
async fn a_session_lasts_24_hours() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    ask(&app, OWNER).await;
    let token = links_to(&app, OWNER).await.remove(0);
    let cookie = sign_in(&app, &token).await.1.expect("cookie");
    app.advance(24 * 3600 - 1).await;
    assert_eq!(overview(&app, &cookie).await.status(), 200);
    app.advance(1).await;
    assert_eq!(overview(&app, &cookie).await.status(), 401);
}

#[tokio::test]
async fn forged_tokens_and_missing_sessions_are_refused() {
    let app = spawn_app().await;
    for token in ["", "0123456789abcdef0123456789abcdef", &"a".repeat(5000)] {
        let response = app
            .post_json("/api/owner/session", &json!({ "token": token }))
            .await;
        assert_eq!(problem(response, 401).await["code"], "unauthorized");
    }
    assert_eq!(
        problem(app.get("/api/owner/overview").await, 401).await["code"],
        "unauthorized"
    );
    let forged = app
        .client
        .get(app.url("/api/owner/overview"))
        .header("cookie", "care_owner=0123456789abcdef0123456789abcdef")
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(forged, 401).await["code"], "unauthorized");
    // Guessing is limited per client.
    let mut limited = false;
    for _ in 0..15 {
        let response = app
            .post_json("/api/owner/session", &json!({ "token": "guess" }))
            .await;
        limited |= response.status() == 429;
    }
    assert!(limited, "guesses are rate-limited");
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    let known = ask(&app, OWNER).await;
    let unknown = ask(&app, "nobody@example.pl").await;
    assert_eq!(known.status(), 202);
    assert_eq!(unknown.status(), 202);
    let (known, unknown) = (
        known.bytes().await.expect("body"),
        unknown.bytes().await.expect("body"),
    );
    assert_eq!(known, unknown);
    assert_eq!(links_to(&app, "nobody@example.pl").await.len(), 0);
    assert_eq!(links_to(&app, OWNER).await.len(), 1);
    // Both asks were recorded and answered alike (the job decided).
    assert_eq!(
        app.count("SELECT COUNT(*) FROM owner_access_asks WHERE handled_at IS NOT NULL")
            .await,
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM owner_links").await, 1);
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    for body in [
        json!({"email": "not an address"}),
        json!({"email": ""}),
        json!({}),
        json!({"email": OWNER, "extra": 1}),
    ] {
        let response = app.post_json("/api/owner/access", &body).await;
        let problem = problem(response, 422).await;
        assert!(problem["code"].is_string(), "{problem}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM owner_access_asks").await, 0);
}

#[tokio::test]
async fn the_limits_hold_under_concurrency_and_still_answer_202() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    let asks = (0..20).map(|_| ask(&app, OWNER));
    for response in futures::future::join_all(asks).await {
        assert_eq!(response.status(), 202);
    }
    // Three links per address in a window, however many asks raced.
    assert_eq!(links_to(&app, OWNER).await.len(), 3);
    // Ten asks per client in a window, whatever the addresses.
    let asks = (0..20).map(|i| {
        let app = &app;
        async move { ask(app, &format!("someone{i}@example.pl")).await }
    });
    for response in futures::future::join_all(asks).await {
        assert_eq!(response.status(), 202);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM owner_access_asks").await,
        10
    );
}

#[tokio::test]
async fn the_overview_lists_exactly_the_owners_records_newest_first() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    app.advance(60).await;
    owner_with_device(&app, "SN0000000002").await;
    // A video case of the owner's, on a device bought second-hand.
    app.add_old_device("SN0000000003").await;
    let case = app.open_case("SN0000000003").await;
    let (first_claim, _) = app.file_claim("SN0000000001").await;
    app.advance(60).await;
    let (second_claim, _) = app.file_claim("SN0000000002").await;
    // Another owner in the same device's history: a claim on SN0000000001 and a case
    // and a device of their own, under another address.
    let other = json!({"name": "Anna Nowak", "email": "anna@example.pl"});
    let response = app
        .post_json(
            "/api/claims",
            &json!({"serial": "SN0000000001", "description": "The gimbal motor grinds.",
                    "customer": other, "shipping_address": "ul. Krótka 2, 00-002 Warszawa"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    app.add_old_device("SN0000000004").await;
    let response = app
        .post_json(
            "/api/verifications",
            &json!({"serial": "SN0000000004", "email": "anna@example.pl"}),
        )
        .await;
    assert_eq!(response.status(), 201);

    ask(&app, OWNER).await;
    let token = links_to(&app, OWNER).await.remove(0);
    let cookie = sign_in(&app, &token).await.1.expect("cookie");
    let doc: Value = overview(&app, &cookie).await.json().await.expect("json");
    let serials: Vec<&str> = doc["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| d["serial"].as_str().expect("serial"))
        .collect();
    assert_eq!(serials, ["SN0000000002", "SN0000000001"]);
    let claims: Vec<&str> = doc["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(claims, [second_claim.as_str(), first_claim.as_str()]);
    assert_eq!(doc["claims"][0]["status"], "submitted");
    assert!(
        doc["claims"][0]["number"]
            .as_str()
            .expect("number")
            .starts_with("CR-")
    );
    let cases = doc["verifications"].as_array().expect("cases");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["id"], case.as_str());
    assert_eq!(cases[0]["status"], "awaiting_upload");
    let text = doc.to_string();
    for foreign in ["anna", "Nowak", "SN0000000004", "Krótka"] {
        assert!(!text.contains(foreign), "{foreign} in {text}");
    }
}

#[tokio::test]
async fn the_owner_downloads_all_of_their_data_and_nothing_else() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    let (claim, _) = app.file_claim("SN0000000001").await;
    // Staff's steps: the claim received and quoted.
    let service = app.staff_cookie(care_rules::Role::Service).await;
    for (step, body) in [
        ("receive", json!({})),
        (
            "quote",
            json!({"amount_grosze": 45000, "note": "new gimbal arm"}),
        ),
    ] {
        assert_eq!(app.step(&service, &claim, step, body).await.status(), 200);
    }
    app.add_old_device("SN0000000003").await;
    app.submit_video("SN0000000003").await;
    let other = json!({"name": "Anna Nowak", "email": "anna@example.pl", "phone": "+48600999888"});
    let response = app
        .post_json(
            "/api/claims",
            &json!({"serial": "SN0000000001", "description": "The gimbal motor grinds.",
                    "customer": other, "shipping_address": "ul. Krótka 2, 00-002 Warszawa"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        problem(app.get("/api/owner/export").await, 401).await["code"],
        "unauthorized"
    );
    ask(&app, OWNER).await;
    let token = links_to(&app, OWNER).await.remove(0);
    let cookie = sign_in(&app, &token).await.1.expect("cookie");
    let response = with_session(&app, reqwest::Method::GET, "/api/owner/export", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment")
    );
    let data: Value = response.json().await.expect("json");
    assert_eq!(data["email"], OWNER);
    assert_eq!(data["activations"][0]["name"], "Jan Kowalski");
    assert_eq!(data["activations"][0]["phone"], "+48600100200");
    assert_eq!(data["claims"].as_array().expect("claims").len(), 1);
    assert_eq!(
        data["claims"][0]["shipping_address"],
        "ul. Długa 1, 00-001 Warszawa"
    );
    // What staff did with the claim, and its history.
    assert_eq!(data["claims"][0]["status"], "quoted");
    assert_eq!(data["claims"][0]["quote_grosze"], 45000);
    assert_eq!(data["claims"][0]["quote_note"], "new gimbal arm");
    let history: Vec<&str> = data["claims"][0]["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(history, ["submitted", "received", "quoted"]);
    // The video case with what was said of its video (never the bytes).
    let case = &data["verifications"][0];
    assert_eq!(case["status"], "pending_review");
    assert!(case["submitted_at"].is_string(), "{case}");
    assert_eq!(case["videos"][0]["bytes"], 64 * 1024);
    assert!(case["videos"][0]["finished_at"].is_string(), "{case}");
    // The mail it was sent: the activation, the claim, the sign-in link.
    assert!(data["mail"].as_array().expect("mail").len() >= 3, "{data}");
    let text = data.to_string();
    for foreign in ["Anna", "Nowak", "600999888", "Krótka", "anna@"] {
        assert!(!text.contains(foreign), "{foreign} in the export");
    }
}

/// Every text value in every table of the database, for looking for what erasure must
/// have removed.
async fn every_text(app: &TestApp) -> String {
    let pool = app.pool().await;
    let tables: Vec<String> = if app.db.dialect() == care_server::db::Dialect::Postgres {
        sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
        )
    } else {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '_sqlx_migrations'",
        )
    }
    .fetch_all(&pool)
    .await
    .expect("tables");
    let postgres = app.db.dialect() == care_server::db::Dialect::Postgres;
    let mut all = String::new();
    for table in tables {
        let columns: Vec<String> = if postgres {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1",
            )
        } else {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        }
        .bind(&table)
        .fetch_all(&pool)
        .await
        .expect("columns");
        for column in columns {
            // Blobs (token hashes) as hex: they hold no text.
            let value = if postgres {
                format!("CAST({column} AS TEXT)")
            } else {
                format!(
                    "CASE WHEN typeof({column}) = 'blob' THEN hex({column}) ELSE CAST({column} AS TEXT) END"
                )
            };
            let values: Vec<Option<String>> =
                sqlx::query_scalar(&format!("SELECT {value} FROM {table}"))
                    .fetch_all(&pool)
                    .await
                    .expect("values");
            for value in values.into_iter().flatten() {
                all.push_str(&value);
                all.push('\n');
            }
        }
    }
    all
}

#[tokio::test]
async fn erasure_waits_for_open_claims_then_leaves_no_personal_data() {
    let app = spawn_app().await;
    owner_with_device(&app, "SN0000000001").await;
    app.add_old_device("SN0000000003").await;
    let case = app.submit_video("SN0000000003").await;
    let (claim, _) = app.file_claim("SN0000000001").await;
    let coverage_before: Value = app.get_json("/api/coverage/SN0000000001").await;
    ask(&app, "Jan.Kowalski@example.pl").await;
    let token = links_to(&app, OWNER).await.remove(0);
    let cookie = sign_in(&app, &token).await.1.expect("cookie");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let erase = || {
        app.client
            .post(app.url("/api/owner/erasure"))
            .header("cookie", &pair)
            .json(&json!({"confirm": true}))
            .send()
    };
    // Asked for in words: no body, or `false`, erases nothing.
    for body in [None, Some(json!({"confirm": false}))] {
        let mut request = app
            .client
            .post(app.url("/api/owner/erasure"))
            .header("cookie", &pair);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sent");
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    // The claim is open: staff still need the address.
    let refused = erase().await.expect("sent");
    assert_eq!(problem(refused, 409).await["code"], "invalid_state");
    assert!(every_text(&app).await.contains("Jan Kowalski"));
    // Once it is over (closed by staff), the video under review still holds it back.
    sqlx::query("UPDATE claims SET status = 'closed' WHERE id = $1")
        .bind(&claim)
        .execute(&app.pool().await)
        .await
        .expect("closed");
    let refused = erase().await.expect("sent");
    assert_eq!(problem(refused, 409).await["code"], "invalid_state");
    let reviewer = app.staff_cookie(care_rules::Role::Reviewer).await;
    let decided = app
        .decide(
            &reviewer,
            &case,
            json!({"accept": false, "reason": "other", "note": "Twarz Jana Kowalskiego w kadrze"}),
        )
        .await;
    assert_eq!(decided.status(), 200);
    assert!(every_text(&app).await.contains("Twarz Jana"));
    let done = erase().await.expect("sent");
    assert_eq!(done.status(), 204);
    let everything = every_text(&app).await;
    for personal in [
        "Jan Kowalski",
        "kowalski",
        "600100200",
        "Długa 1",
        "Dropped on rocks",
        "Twarz Jana",
    ] {
        assert!(
            !everything.to_lowercase().contains(&personal.to_lowercase()),
            "{personal} is still stored"
        );
    }
    // The video is gone with its file name.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM uploads WHERE video_deleted_at IS NULL OR metadata <> ''")
            .await,
        0
    );
    // The session ended with it; the coverage stays with the serial.
    assert_eq!(
        problem(overview(&app, &cookie).await, 401).await["code"],
        "unauthorized"
    );
    let coverage_after: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(coverage_before, coverage_after);
    // No mail can be sent to an erased owner, and no link: the address has nothing.
    ask(&app, OWNER).await;
    assert!(links_to(&app, OWNER).await.is_empty());
}
