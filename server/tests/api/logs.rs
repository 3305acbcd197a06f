//! The server's own logs, read from the real binary at debug level, never contain a
//! whole code, an email address or a phone number.

use crate::helpers::{activation, settings};
use care_rules::{Code, Plan, Timestamp};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// The server's logs (stderr), read as they come: a pipe nobody reads fills (64 KiB)
/// and the server would stop at its next log line, mid-request.
fn read_all(child: &mut std::process::Child) -> std::thread::JoinHandle<String> {
    // This process builds no `Application` (which installs the TLS provider reqwest
    // needs) when these tests run alone.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        let mut logs = String::new();
        let _ = stderr.read_to_string(&mut logs);
        logs
    })
}

#[tokio::test]
async fn logs_hold_no_codes_emails_or_phones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = settings(&dir);
    let (database, storage) = crate::helpers::backend(dir.path()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_care-server"))
        .arg("serve")
        .env("CARE_ADDR", "127.0.0.1:0")
        .env("CARE_DATA_DIR", &s.data.data_dir)
        .env("DATABASE_URL", &database)
        .env("CARE_STORAGE", &storage)
        .env("CARE_WEB_DIR", &s.web_dir)
        .env("CARE_TEST_CLOCK", "1")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let logs = read_all(&mut child);
    let stdout = child.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.split("listening on ").nth(1).map(str::to_owned))
        .expect("the server printed its address");

    // Seed through the operator commands, as an operator would.
    let db = care_server::db::Db::open(&database).await.expect("db");
    let key =
        care_server::activation::codes::CodeKey::load(None, &s.data.data_dir.join("code.key"))
            .expect("key");
    let devices = dir.path().join("devices.csv");
    std::fs::write(&devices, "SN0000000001,osmo-360,\n").expect("csv");
    care_server::operator::import_devices(&db, &devices, Timestamp::now())
        .await
        .expect("devices");
    let code = care_server::operator::generate_codes(
        &db,
        &key,
        "osmo-360",
        Plan::Annual,
        1,
        Timestamp::now(),
    )
    .await
    .expect("code")
    .remove(0);
    let client = reqwest::Client::new();
    let url = format!("{address}/api/activations");
    let ok = client
        .post(&url)
        .json(&activation(&code, "SN0000000001"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 201);
    let unknown = Code::from_payload([9; 15]);
    let refused = client
        .post(&url)
        .json(&activation(&unknown, "SN0000000001"))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 404);
    // Let the outbox worker deliver (and log) the confirmation.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    child.kill().expect("stopped");
    child.wait().expect("reaped");
    let logs = logs.join().expect("the log reader");
    assert!(
        logs.contains("plan activated"),
        "the logs are empty or lack the activation:\n{logs}"
    );
    for secret in [
        code.as_str(),
        &code.to_string(),
        unknown.as_str(),
        &unknown.to_string(),
        "jan.kowalski@example.pl",
        "600100200",
    ] {
        assert!(!logs.contains(secret), "the logs contain {secret}:\n{logs}");
    }
}

#[tokio::test]
async fn json_logs_carry_the_request_id_the_answer_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = settings(&dir);
    let (database, storage) = crate::helpers::backend(dir.path()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_care-server"))
        .arg("serve")
        .env("CARE_ADDR", "127.0.0.1:0")
        .env("CARE_DATA_DIR", &s.data.data_dir)
        .env("DATABASE_URL", &database)
        .env("CARE_STORAGE", &storage)
        .env("CARE_WEB_DIR", &s.web_dir)
        .env("CARE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let logs = read_all(&mut child);
    let stdout = child.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.split("listening on ").nth(1).map(str::to_owned))
        .expect("the server printed its address");
    let claim = "0123456789abcdef0123456789abcdef";
    let response = reqwest::get(format!("{address}/api/claims/{claim}"))
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    // A request id the load balancer set is kept.
    let given = reqwest::Client::new()
        .get(format!("{address}/api/health"))
        .header("x-request-id", "lb-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(given.headers()["x-request-id"], "lb-42");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let logs = logs.join().expect("the log reader");
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == id.as_str())
        .collect();
    assert!(!of_request.is_empty(), "{logs}");
    assert_eq!(of_request[0]["span"]["path"], "/api/claims/{id}");
    assert!(!logs.contains(claim), "the claim's id is not in the logs");
    assert!(lines.iter().any(|l| l["span"]["request_id"] == "lb-42"));
}
