//! Safe defaults: no demo data unless asked, Secure cookies behind https, no test clock
//! there, secrets kept out of `--help`, and the data folder private.

use crate::helpers::{settings, spawn_app_with};
use care_server::startup::Application;
use serde_json::json;

#[tokio::test]
async fn demo_data_only_when_asked() {
    let plain = spawn_app_with(|_| {}).await;
    assert_eq!(plain.count("SELECT COUNT(*) FROM devices").await, 0);
    assert_eq!(plain.count("SELECT COUNT(*) FROM staff").await, 0);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut asked = settings(&dir);
    asked.demo = true;
    let app = Application::build(&asked).await.expect("builds");
    let summary = app.demo_summary().expect("printed when asked");
    assert!(summary.contains("DEMO360NEW01"));
    assert!(summary.contains("reviewer@demo.care-refresh.example"));

    // The same database served without --demo prints no password.
    let mut again = settings(&dir);
    again.demo = false;
    let app = Application::build(&again).await.expect("builds");
    assert!(app.demo_summary().is_none());
}

#[tokio::test]
async fn behind_https_cookies_are_secure_and_the_test_clock_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut https = settings(&dir);
    https.public_url = Some("https://care.example.pl".to_owned());
    let refused = Application::build(&https).await;
    assert!(
        refused
            .err()
            .is_some_and(|e| e.to_string().contains("CARE_TEST_CLOCK")),
        "the test clock is refused behind https"
    );

    let app = spawn_app_with(|s| {
        s.public_url = Some("https://care.example.pl".to_owned());
        s.test_clock = false;
    })
    .await;
    let email = "service@dji-ars.example";
    care_server::operator::add_staff(
        &app.db,
        email,
        care_rules::Role::Service,
        "a long staff password",
        care_rules::Timestamp::now(),
    )
    .await
    .expect("staff");
    let login = app
        .post_json(
            "/api/staff/login",
            &json!({"email": email, "password": "a long staff password"}),
        )
        .await;
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
}

#[test]
fn help_shows_no_secret() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_care-server"))
        .arg("--help")
        .env("DATABASE_URL", "postgres://care:db-secret-1@db/care")
        .env("CARE_SMTP_URL", "smtps://mail:smtp-secret-2@smtp.example")
        .env("CARE_CODE_KEY", "ab".repeat(32))
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    for secret in ["db-secret-1", "smtp-secret-2", &"ab".repeat(32)] {
        assert!(!help.contains(secret), "--help shows {secret}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app_with(|_| {}).await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let data = app.dir.path().join("data");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("code.key")), 0o600);
    if app.database_url.starts_with("sqlite") {
        assert_eq!(mode(&data.join("care.db")) & 0o077, 0, "care.db is private");
    }
    if app.storage.starts_with("file://") {
        assert_eq!(mode(&data.join("uploads")) & 0o077, 0);
    }
}
