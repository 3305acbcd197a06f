//! Staff lists in pages: a cursor leads through every item once, the status filter is
//! the status as at now, and a bad page request is refused.

use crate::helpers::{DAY, TestApp, problem, spawn_app};
use care_rules::Role;
use serde_json::Value;

async fn get(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("sent")
}

/// Every id of a list, page by page, and how many pages it took.
async fn walk(app: &TestApp, cookie: &str, list: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("{list}&cursor={c}"),
            None => list.to_owned(),
        };
        let page: Value = get(app, cookie, &path).await.json().await.expect("json");
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2, "{page}");
        ids.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (ids, pages),
        }
    }
}

#[tokio::test]
async fn pages_of_two_lead_through_every_case_and_claim_once() {
    let app = spawn_app().await;
    let mut cases = Vec::new();
    let mut claims = Vec::new();
    for i in 0..5 {
        let serial = format!("SN000000000{i}");
        app.add_old_device(&serial).await;
        cases.push(app.submit_video(&serial).await);
        claims.push(app.file_claim(&serial).await.0);
        app.advance(60).await;
    }
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let (ids, pages) = walk(
        &app,
        &reviewer,
        "/api/staff/verifications?status=pending_review&limit=2",
    )
    .await;
    assert_eq!((ids, pages), (cases, 3));
    let service = app.staff_cookie(Role::Service).await;
    let (ids, pages) = walk(&app, &service, "/api/staff/claims?status=submitted&limit=2").await;
    assert_eq!((ids, pages), (claims, 3));
    // Fifty by default.
    let all: Value = get(&app, &service, "/api/staff/claims")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(all["next_cursor"], Value::Null);
}

#[tokio::test]
async fn the_status_filter_is_the_status_as_at_now() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    app.add_old_device("SN0000000002").await;
    let accepted = app.submit_video("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    assert_eq!(
        app.decide(&reviewer, &accepted, serde_json::json!({"accept": true}))
            .await
            .status(),
        200
    );
    let waiting = app.open_case("SN0000000002").await;
    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let list = |status: &'static str| {
        let app = &app;
        async move {
            // Signed in anew each time: a session lasts 12 hours of the test clock.
            let reviewer = app.staff_cookie(Role::Reviewer).await;
            get(
                app,
                &reviewer,
                &format!("/api/staff/verifications?status={status}"),
            )
            .await
            .json::<Value>()
            .await
            .expect("json")
        }
    };
    assert_eq!(ids(list("accepted").await), std::slice::from_ref(&accepted));
    assert_eq!(
        ids(list("awaiting_upload").await),
        std::slice::from_ref(&waiting)
    );
    assert!(ids(list("expired").await).is_empty());
    // 72 hours after the acceptance, the acceptance has expired.
    app.advance(3 * DAY).await;
    assert!(ids(list("accepted").await).is_empty());
    assert_eq!(ids(list("expired").await), std::slice::from_ref(&accepted));
    // 14 days after it opened, the case that still waits for its video has too.
    app.advance(11 * DAY).await;
    let mut expired = ids(list("expired").await);
    expired.sort();
    let mut both = [accepted, waiting];
    both.sort();
    assert_eq!(expired, both);
    assert!(ids(list("awaiting_upload").await).is_empty());
}

#[tokio::test]
async fn a_bad_page_request_is_refused() {
    let app = spawn_app().await;
    let service = app.staff_cookie(Role::Service).await;
    for path in [
        "/api/staff/claims?limit=0",
        "/api/staff/claims?limit=201",
        "/api/staff/claims?cursor=nonsense",
        "/api/staff/claims?status=lost",
    ] {
        assert_eq!(
            problem(get(&app, &service, path).await, 422).await["code"],
            "invalid_request",
            "{path}"
        );
    }
}
