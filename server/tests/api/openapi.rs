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

/// Every operation of the document, as (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            all.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    all
}

#[tokio::test]
async fn every_error_is_documented_as_problem_json() {
    let app = spawn_app().await;
    let doc: Value = app.get_json("/api/openapi.json").await;
    let mut errors = 0;
    for (path, method, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().expect("responses") {
            if status.starts_with('4') || status.starts_with('5') {
                errors += 1;
                let content = response["content"].as_object().expect("content");
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem"
                );
            }
        }
        let takes_json = operation["requestBody"]["content"]
            .get("application/json")
            .is_some();
        if takes_json {
            for status in ["413", "415", "422"] {
                assert!(
                    operation["responses"].get(status).is_some(),
                    "{method} {path} lacks {status}"
                );
            }
        }
    }
    assert!(errors > 60, "only {errors} error answers documented");
    let staff = &doc["paths"]["/api/staff/claims"]["get"]["responses"];
    for status in ["401", "403", "422"] {
        assert!(staff.get(status).is_some(), "{status}");
    }
    assert!(
        doc["paths"]["/api/uploads"]["post"]["responses"]
            .get("412")
            .is_some()
    );
    assert!(
        doc["paths"]["/api/staff/verifications/{id}/video"]["get"]["responses"]
            .get("416")
            .is_some()
    );
    assert!(
        doc["paths"]["/api/test-clock"]["get"]["responses"]
            .get("404")
            .is_some()
    );
    let limited = &doc["paths"]["/api/activations"]["post"]["responses"]["429"];
    assert!(limited["headers"].get("Retry-After").is_some());
}
