use crate::helpers::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/health",
        "/api/catalog",
        "/api/devices/{serial}",
        "/api/coverage/{serial}",
        "/api/activations",
        "/api/test-clock",
        "/api/verifications",
        "/api/uploads/{id}",
        "/api/staff/verifications/{id}/decision",
        "/api/claims",
        "/api/claims/{id}/choice",
        "/api/staff/claims/{id}/ship",
        "/api/staff/devices/{serial}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is missing");
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "CoverageDocument",
        "ActivationRequest",
        "Problem",
        "Refusal",
    ] {
        assert!(schemas.get(schema).is_some(), "{schema} is missing");
    }
}
