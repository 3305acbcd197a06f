//! What an operator runs: readiness for the load balancer, a backup that restores, and
//! the pruning of what is kept only for a while.

use crate::helpers::{DAY, activation, spawn_app, spawn_app_with};
use care_rules::Plan;
use serde_json::json;

#[tokio::test]
async fn readiness_says_when_the_storage_or_the_database_does_not_answer() {
    let app = spawn_app().await;
    let ready = app.get("/api/health/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.expect("json"),
        json!({"status": "ready"})
    );
    if app.storage.starts_with("file://") {
        let uploads = app.dir.path().join("data/uploads");
        std::fs::remove_dir_all(&uploads).expect("removed");
        let unready = app.get("/api/health/ready").await;
        let body = crate::helpers::problem(unready, 503).await;
        assert_eq!(body["code"], "unavailable");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("storage"))
        );
        std::fs::create_dir_all(uploads.join("staging")).expect("restored");
        assert_eq!(app.get("/api/health/ready").await.status(), 200);
    }
    if app.database_url.starts_with("postgres") {
        // The database goes away under the running server.
        let name = app
            .database_url
            .rsplit('/')
            .next()
            .expect("name")
            .to_owned();
        let maintenance = std::env::var("CARE_TEST_POSTGRES").expect("the maintenance URL");
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&maintenance)
            .await
            .expect("connected");
        sqlx::Executor::execute(
            &mut conn,
            format!("DROP DATABASE {name} WITH (FORCE)").as_str(),
        )
        .await
        .expect("dropped");
        let body = crate::helpers::problem(app.get("/api/health/ready").await, 503).await;
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("database"))
        );
    }
    // Whether the process is up is another question, still answered.
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn readiness_fails_on_a_bucket_that_is_not_there() {
    if std::env::var("CARE_TEST_S3").is_err() {
        return; // the local disk's case is above
    }
    // A missing bucket answers HEAD of any object with a bare 404, the same as a missing
    // object in a bucket that is there; readiness must tell them apart.
    let app = spawn_app_with(|s| {
        s.data.storage = Some("s3://care-no-such-bucket/ready".to_owned());
    })
    .await;
    let body = crate::helpers::problem(app.get("/api/health/ready").await, 503).await;
    assert_eq!(body["code"], "unavailable");
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_and_serves() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("sqlite") {
        return;
    }
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000001").await.status(), 201);
    let backup = app.dir.path().join("backup.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_care-server"))
        .args(["--data-dir"])
        .arg(app.dir.path().join("data"))
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("code.key"));

    // Served from the copy (with the same code key), the coverage is there.
    let restored = spawn_app_with(|s| {
        s.data.database_url = Some(format!("sqlite://{}", backup.display()));
        s.data.code_key = std::fs::read_to_string(app.dir.path().join("data/code.key")).ok();
    })
    .await;
    let coverage = restored.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(coverage["status"], "active");
    // A second backup to the same file is refused rather than overwriting it.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_care-server"))
        .args(["--data-dir"])
        .arg(app.dir.path().join("data"))
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("runs");
    assert!(!again.status.success());
}

#[tokio::test]
async fn idempotency_keys_and_rate_limit_counters_are_pruned() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", Plan::Annual).await;
    let sent = app
        .client
        .post(app.url("/api/activations"))
        .header("Idempotency-Key", "retry-1")
        .json(&activation(&code, "SN0000000001"))
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status(), 201);
    let wrong = care_rules::Code::from_payload([9; 15]);
    assert_eq!(app.activate(&wrong, "SN0000000001").await.status(), 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM idempotency_keys").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM rate_limits").await > 0);
    app.advance(DAY).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_limits").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM idempotency_keys").await, 1);
    app.advance(DAY).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM idempotency_keys").await, 0);
}
