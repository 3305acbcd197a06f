use crate::helpers::spawn_app;

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/api/health").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn an_unknown_api_route_is_a_problem_not_the_app() {
    let app = spawn_app().await;
    let response = app.get("/api/nope").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_a_problem() {
    let app = spawn_app().await;
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/catalog"),
        (reqwest::Method::PUT, "/api/claims"),
        (reqwest::Method::POST, "/api/coverage/SN0000000001"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["code"], "method_not_allowed");
    }
}
