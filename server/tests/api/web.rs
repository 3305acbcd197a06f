use crate::helpers::{ASSET, BROTLI_ASSET, INDEX_HTML, spawn_app};

#[tokio::test]
async fn serves_the_app_at_the_root_revalidated_each_time() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.text().await.expect("body"), INDEX_HTML);
}

#[tokio::test]
async fn every_client_route_gets_the_page_of_its_journeys_bundle() {
    let app = spawn_app().await;
    for journey in &care_rules::Journey::ALL[1..] {
        let page = app.dir.path().join("dist").join(journey.page());
        std::fs::create_dir_all(page.parent().expect("folder")).expect("dir");
        std::fs::write(&page, format!("<title>{journey}</title>")).expect("page");
    }
    for (path, page) in [
        ("/coverage/1SDXK2P300A", "<title>coverage</title>"),
        ("/coverage", "<title>coverage</title>"),
        ("/activate", "<title>activation</title>"),
        ("/activate/review?serial=SN1", "<title>activation</title>"),
        ("/verification/0123", "<title>verification</title>"),
        ("/claims/new", "<title>claims</title>"),
        ("/claims/CR-ABCD2345", "<title>claims</title>"),
        // Home, and every address no journey claims (the app says "not found").
        ("/terms", INDEX_HTML),
        ("/no/such/page", INDEX_HTML),
        // The bundle's page at its own address, as the offline worker keeps it.
        ("/bundle/claims/", "<title>claims</title>"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(response.text().await.expect("body"), page, "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year() {
    let app = spawn_app().await;
    let response = app.get(&format!("/{ASSET}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // Nothing revalidates it or asks for a range of it: no date, no range support.
    assert!(response.headers().get("last-modified").is_none());
    assert!(response.headers().get("accept-ranges").is_none());
    assert_eq!(response.text().await.expect("body"), "console.log('app')");
    // A page keeps its date, by which a browser revalidates it.
    let page = app.get("/").await;
    assert!(page.headers().get("last-modified").is_some());
}

#[tokio::test]
async fn the_icon_is_kept_a_day_so_the_worker_takes_it_from_the_browsers_cache() {
    let app = spawn_app().await;
    let icon = r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#;
    std::fs::write(app.dir.path().join("dist/favicon.svg"), icon).expect("icon");
    let response = app.get("/favicon.svg").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=86400");
    assert_eq!(response.text().await.expect("body"), icon);
    // A missing one is not kept.
    let missing = app.get("/missing.svg").await;
    assert_eq!(missing.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_precompressed_file_goes_to_browsers_that_take_brotli() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url(&format!("/{ASSET}")))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.bytes().await.expect("body").as_ref(), BROTLI_ASSET);
}

#[tokio::test]
async fn the_staff_console_is_its_own_app_under_staff() {
    let app = spawn_app().await;
    let staff_dir = app.dir.path().join("dist/staff");
    std::fs::create_dir_all(&staff_dir).expect("dir");
    std::fs::write(staff_dir.join("index.html"), "<title>Konsola</title>").expect("index");
    for path in ["/staff", "/staff/", "/staff/claims/0123"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.text().await.expect("body"),
            "<title>Konsola</title>",
            "{path}"
        );
    }
    assert_eq!(app.get("/").await.text().await.expect("body"), INDEX_HTML);
}
