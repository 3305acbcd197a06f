use crate::helpers::{problem, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn a_device_never_covered_has_status_none() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let body: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(body["status"], "none");
    assert_eq!(body["extension"]["refusal"], "coverage_not_active");
    assert_eq!(body["next_fee_grosze"], Value::Null);
}

#[tokio::test]
async fn the_coverage_document_holds_no_personal_data() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", care_rules::Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000001").await.status(), 201);
    let text = app
        .get("/api/coverage/SN0000000001")
        .await
        .text()
        .await
        .expect("body");
    assert!(!text.contains("kowalski"), "{text}");
    assert!(!text.contains("600100200"), "{text}");
    assert!(!text.contains(&code.as_str()[..8]), "{text}");
}

#[tokio::test]
async fn unknown_and_malformed_serials_are_refused() {
    let app = spawn_app().await;
    assert_eq!(
        problem(app.get("/api/coverage/SN9999999999").await, 404).await["code"],
        "device_not_found"
    );
    assert_eq!(
        problem(app.get("/api/coverage/SN_1").await, 422).await["code"],
        "invalid_serial"
    );
}
