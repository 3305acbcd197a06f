use crate::helpers::{INDEX_HTML, spawn_app};

#[tokio::test]
async fn serves_the_app_at_the_root() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.text().await.expect("body"), INDEX_HTML);
}

#[tokio::test]
async fn every_client_route_gets_the_app() {
    let app = spawn_app().await;
    let response = app.get("/coverage/1SDXK2P300A").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), INDEX_HTML);
}

#[tokio::test]
async fn serves_the_app_assets() {
    let app = spawn_app().await;
    let response = app.get("/app-0123abcd.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "console.log('app')");
}
