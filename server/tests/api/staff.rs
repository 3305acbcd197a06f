//! Staff sign-in and the review routes' gatekeeping.

use crate::helpers::{problem, spawn_app, spawn_app_with};
use care_rules::Role;
use serde_json::json;

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it() {
    let app = spawn_app().await;
    care_server::operator::add_staff(
        &app.db,
        "anna@dji-ars.pl",
        Role::Reviewer,
        "a long staff password",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("added");
    let response = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "Anna@DJI-ARS.pl", "password": "a long staff password"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for attribute in [
        "care_staff=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not behind TLS here: {set_cookie}"
    );
    let cookie = set_cookie.split(';').next().expect("cookie").to_owned();
    let me = app
        .client
        .get(app.url("/api/staff/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        me.json::<serde_json::Value>().await.expect("json"),
        json!({"email": "anna@dji-ars.pl", "role": "reviewer"})
    );
    let out = app
        .client
        .post(app.url("/api/staff/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(out.status(), 204);
    let after = app
        .client
        .get(app.url("/api/staff/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(after, 401).await["code"], "unauthorized");
}

#[tokio::test]
async fn sessions_end_after_12_hours() {
    let app = spawn_app().await;
    let cookie = app.staff_cookie(Role::Reviewer).await;
    app.advance(12 * 3600 - 1).await;
    let me = app
        .client
        .get(app.url("/api/staff/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 200);
    app.advance(1).await;
    let me = app
        .client
        .get(app.url("/api/staff/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn wrong_passwords_are_refused_and_then_rate_limited() {
    let app = spawn_app().await;
    care_server::operator::add_staff(
        &app.db,
        "anna@dji-ars.pl",
        Role::Service,
        "a long staff password",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("added");
    for _ in 0..10 {
        let response = app
            .post_json(
                "/api/staff/login",
                &json!({"email": "anna@dji-ars.pl", "password": "guess"}),
            )
            .await;
        assert_eq!(problem(response, 401).await["code"], "unauthorized");
    }
    let unknown = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "nobody@dji-ars.pl", "password": "guess"}),
        )
        .await;
    // The client is over its limit now, whatever the account.
    assert_eq!(problem(unknown, 429).await["code"], "rate_limited");
    let right = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "anna@dji-ars.pl", "password": "a long staff password"}),
        )
        .await;
    assert_eq!(right.status(), 429);
}

#[tokio::test]
async fn review_routes_refuse_anonymous_and_wrong_role_callers() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.submit_video("SN0000000001").await;
    let service = app.staff_cookie(Role::Service).await;
    let list = app.url("/api/staff/verifications?status=pending_review");
    let video = app.url(&format!("/api/staff/verifications/{case}/video"));
    let decision = app.url(&format!("/api/staff/verifications/{case}/decision"));
    let anonymous = [
        app.client.get(&list).send().await.expect("sent"),
        app.client.get(&video).send().await.expect("sent"),
        app.client
            .post(&decision)
            .json(&json!({"accept": true}))
            .send()
            .await
            .expect("sent"),
        app.client
            .get(&list)
            .header("cookie", "care_staff=forged")
            .send()
            .await
            .expect("sent"),
    ];
    for response in anonymous {
        assert_eq!(problem(response, 401).await["code"], "unauthorized");
    }
    let wrong_role = [
        app.client
            .get(&list)
            .header("cookie", &service)
            .send()
            .await
            .expect("sent"),
        app.client
            .get(&video)
            .header("cookie", &service)
            .send()
            .await
            .expect("sent"),
        app.client
            .post(&decision)
            .header("cookie", &service)
            .json(&json!({"accept": true}))
            .send()
            .await
            .expect("sent"),
    ];
    for response in wrong_role {
        assert_eq!(problem(response, 403).await["code"], "forbidden");
    }
    let status: serde_json::Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(status["status"], "pending_review", "nothing changed");
}

#[tokio::test]
async fn the_queue_lists_cases_with_masked_emails_and_streams_videos_with_range() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.submit_video("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let queue: serde_json::Value = app
        .client
        .get(app.url("/api/staff/verifications?status=pending_review"))
        .header("cookie", &reviewer)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let queue = &queue["items"];
    assert_eq!(queue.as_array().map(Vec::len), Some(1));
    assert_eq!(queue[0]["id"], case.as_str());
    assert_eq!(queue[0]["email"], "j***@example.pl");
    assert_eq!(queue[0]["product_id"], "osmo-360");
    let video_url = app.url(queue[0]["video_url"].as_str().expect("video url"));
    let whole = app
        .client
        .get(&video_url)
        .header("cookie", &reviewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let expected = crate::helpers::video_bytes(64 * 1024, 7);
    assert_eq!(
        whole.bytes().await.expect("body").as_ref(),
        expected.as_slice()
    );
    let part = app
        .client
        .get(&video_url)
        .header("cookie", &reviewer)
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .expect("sent");
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1999/65536");
    assert_eq!(
        part.bytes().await.expect("body").as_ref(),
        &expected[1000..2000]
    );
    let accepted: serde_json::Value = app
        .client
        .get(app.url("/api/staff/verifications?status=accepted"))
        .header("cookie", &reviewer)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(accepted, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn thirty_wrong_passwords_at_once_are_mostly_refused_as_too_many() {
    let app = spawn_app().await;
    care_server::operator::add_staff(
        &app.db,
        "anna@dji-ars.pl",
        Role::Service,
        "a long staff password",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("added");
    let guesses = (0..30).map(|i| {
        let app = &app;
        async move {
            app.post_json(
                "/api/staff/login",
                &json!({"email": "anna@dji-ars.pl", "password": format!("guess {i}")}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(limited, 20, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10);
}

#[tokio::test]
async fn a_strangers_wrong_passwords_never_lock_the_member_out() {
    let app = spawn_app_with(|s| {
        s.client_ip = axum_client_ip::ClientIpSource::RightmostXForwardedFor;
    })
    .await;
    care_server::operator::add_staff(
        &app.db,
        "anna@dji-ars.pl",
        Role::Service,
        "a long staff password",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("added");
    let login = |password: &'static str, from: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/staff/login"))
                .header("X-Forwarded-For", from)
                .json(&json!({"email": "anna@dji-ars.pl", "password": password}))
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    for i in 0..12u8 {
        assert_ne!(login("guess", format!("198.51.100.{i}")).await, 200);
    }
    assert_eq!(
        login("a long staff password", "203.0.113.5".to_owned()).await,
        200,
        "the member signs in from their own address"
    );
}

#[tokio::test]
async fn a_disabled_member_or_a_new_password_ends_the_sessions() {
    let app = spawn_app().await;
    let cookie = app.staff_cookie(Role::Service).await;
    let me = |cookie: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/api/staff/me"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("sent")
                .status()
        }
    };
    assert_eq!(me(cookie.clone()).await, 200);
    care_server::operator::set_staff_password(
        &app.db,
        "service@dji-ars.example",
        "another long password",
    )
    .await
    .expect("changed");
    assert_eq!(me(cookie).await, 401, "the old session ended");
    let old = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "service@dji-ars.example", "password": "a long staff password"}),
        )
        .await;
    assert_eq!(old.status(), 401);
    let renewed = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "service@dji-ars.example", "password": "another long password"}),
        )
        .await;
    assert_eq!(renewed.status(), 200);
    let cookie = renewed.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    care_server::operator::disable_staff(
        &app.db,
        "service@dji-ars.example",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("disabled");
    assert_eq!(me(cookie).await, 401, "a disabled member's session ends");
    let refused = app
        .post_json(
            "/api/staff/login",
            &json!({"email": "service@dji-ars.example", "password": "another long password"}),
        )
        .await;
    assert_eq!(refused.status(), 401);
}
