use crate::helpers::{problem, spawn_app};
use care_rules::Plan;
use serde_json::Value;

#[tokio::test]
async fn a_device_without_a_plan_has_no_coverage() {
    let app = spawn_app().await;
    let at = app.now().await;
    app.add_device("SN0000000001", "rs-3", Some(at)).await;
    let body: Value = app.get_json("/api/devices/sn-0000-000001").await;
    assert_eq!(body["serial"], "SN0000000001");
    assert_eq!(body["product_id"], "rs-3");
    assert_eq!(body["activated_at"], at.to_string());
    assert_eq!(body["coverage"], Value::Null);
}

#[tokio::test]
async fn a_device_with_a_plan_carries_its_coverage() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "rs-3", None).await;
    let code = app.add_code("rs-3", Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000001").await.status(), 201);
    let body: Value = app.get_json("/api/devices/SN0000000001").await;
    assert_eq!(body["activated_at"], Value::Null);
    assert_eq!(body["coverage"]["status"], "active");
    assert_eq!(body["coverage"]["warranty_reward"]["status"], "projected");
    assert_eq!(body["coverage"]["next_fee_grosze"], 28900);
}

#[tokio::test]
async fn unknown_and_malformed_serials_are_refused() {
    let app = spawn_app().await;
    let refused = problem(app.get("/api/devices/SN9999999999").await, 404).await;
    assert_eq!(refused["code"], "device_not_found");
    let refused = problem(app.get("/api/devices/abc").await, 422).await;
    assert_eq!(refused["code"], "invalid_serial");
}
