//! The headers a browser's safety rests on, on every kind of answer.

use crate::helpers::{ASSET, spawn_app, spawn_app_with};
use base64::Engine;
use care_rules::Role;
use sha2::Digest;

fn csp_hash(script: &str) -> String {
    let digest = sha2::Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[tokio::test]
async fn every_answer_carries_the_policy_and_the_safety_headers() {
    let loader = "import init from '/care-portal-0123456789abcdef.js';\nawait init();";
    let activation = "import init from '/bundle/activation/care-activation-0123.js';";
    let app = spawn_app_with(|s| {
        let page = |script: &str| {
            format!("<!doctype html><title>Care</title><script type=module>{script}</script>")
        };
        std::fs::write(s.web_dir.join("index.html"), page(loader)).expect("index");
        let bundle = s.web_dir.join("bundle/activation");
        std::fs::create_dir_all(&bundle).expect("bundle folder");
        std::fs::write(bundle.join("index.html"), page(activation)).expect("activation page");
        std::fs::write(
            s.web_dir.join("sw.js"),
            "addEventListener('fetch', () => {});",
        )
        .expect("worker");
    })
    .await;
    app.add_old_device("SN0000000001").await;
    // Pages get the app's policy, which allows their own loader only; what is no page
    // gets one that allows nothing.
    for (path, page) in [
        ("/", Some((loader, activation))),
        ("/no-such-page", Some((loader, activation))),
        ("/activate", Some((activation, loader))),
        ("/activate/review", Some((activation, loader))),
        (&format!("/{ASSET}"), None),
        ("/api/health", None),
        ("/api/coverage/SN0000000001", None),
        ("/api/nope", None),
    ] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        if let Some((own, other)) = page {
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(
                csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
                "{path}"
            );
            assert!(
                csp.contains(&csp_hash(own)),
                "{path}: its loader is allowed by hash"
            );
            assert!(
                !csp.contains(&csp_hash(other)),
                "{path}: another page's loader is not"
            );
            assert!(!csp.contains("unsafe-inline"), "{path}");
        } else {
            assert_eq!(csp, "default-src 'none'; frame-ancestors 'none'", "{path}");
        }
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        // Pages and API answers are not to be framed nor to leak their address.
        if page.is_some() || path.starts_with("/api") {
            assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
        } else {
            assert!(h.get("referrer-policy").is_none(), "{path}");
            assert!(h.get("x-frame-options").is_none(), "{path}");
        }
        assert!(
            h.get("strict-transport-security").is_none(),
            "not without https"
        );
    }
    // A worker runs under the policy of its own script: its origin, nothing else.
    let worker = app.get("/sw.js").await;
    assert_eq!(
        worker.headers()["content-security-policy"],
        "default-src 'self'"
    );
    assert_eq!(worker.headers()["referrer-policy"], "no-referrer");
    let asset = app.get(&format!("/{ASSET}")).await;
    assert!(
        asset.headers()["vary"]
            .to_str()
            .expect("ascii")
            .contains("accept-encoding")
    );
}

#[tokio::test]
async fn personal_answers_are_not_stored_and_the_public_coverage_briefly() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    let (claim, _) = app.file_claim("SN0000000001").await;
    for path in [
        format!("/api/verifications/{case}"),
        format!("/api/claims/{claim}"),
        "/api/staff/me".to_owned(),
    ] {
        assert_eq!(
            app.get(&path).await.headers()["cache-control"],
            "no-store",
            "{path}"
        );
    }
    let coverage = app.get("/api/coverage/SN0000000001").await;
    assert_eq!(coverage.headers()["cache-control"], "public, max-age=10");
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_keep_to_it() {
    let app = spawn_app_with(|s| {
        s.public_url = Some("https://care.example.pl".to_owned());
        s.test_clock = false;
    })
    .await;
    let response = app.get("/api/health").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn the_review_video_is_never_run_as_a_page() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.submit_video("SN0000000001").await;
    let reviewer = app.staff_cookie(Role::Reviewer).await;
    let response = app
        .client
        .get(app.url(&format!("/api/staff/verifications/{case}/video")))
        .header("cookie", reviewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let h = response.headers();
    assert_eq!(h["content-security-policy"], "sandbox");
    assert_eq!(h["content-disposition"], "inline");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
}
