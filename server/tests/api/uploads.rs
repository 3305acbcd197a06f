//! tus 1.0 at /api/uploads: every status the protocol defines, chunk by chunk.

use crate::helpers::{
    DAY, TestApp, fixture_with_padding, problem, sha1_base64, spawn_app, spawn_app_with,
    video_bytes,
};
use serde_json::Value;

async fn app_with_case() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    (app, case)
}

fn creation(app: &TestApp) -> reqwest::RequestBuilder {
    app.client.post(app.url("/api/uploads"))
}

fn metadata(case: &str) -> String {
    use base64::Engine;
    format!(
        "verification_id {}",
        base64::engine::general_purpose::STANDARD.encode(case)
    )
}

#[tokio::test]
async fn options_describes_the_server() {
    let app = spawn_app().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/uploads"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    let h = response.headers();
    assert_eq!(h["tus-version"], "1.0.0");
    assert_eq!(h["tus-resumable"], "1.0.0");
    assert_eq!(h["tus-max-size"], "2147483648");
    assert_eq!(
        h["tus-extension"],
        "creation,creation-with-upload,termination,checksum"
    );
    assert_eq!(h["tus-checksum-algorithm"], "sha1");
}

#[tokio::test]
async fn creation_refuses_bad_versions_sizes_types_and_cases() {
    let (app, case) = app_with_case().await;
    let refused = creation(&app)
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.headers()["tus-resumable"], "1.0.0");
    assert_eq!(
        problem(refused, 412).await["code"],
        "tus_version_unsupported"
    );
    let too_big = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "2147483649")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(too_big, 413).await["code"], "payload_too_large");
    let no_length = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(no_length, 422).await["field"], "Upload-Length");
    let png = {
        use base64::Engine;
        format!(
            "{},filetype {}",
            metadata(&case),
            base64::engine::general_purpose::STANDARD.encode("image/png")
        )
    };
    let wrong_type = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", png)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(wrong_type, 415).await["code"],
        "unsupported_media_type"
    );
    let no_case = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", metadata(&"f".repeat(32)))
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(no_case, 404).await["code"], "not_found");
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 0);
    // At 2 GiB exactly it is allowed.
    let at_limit = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "2147483648")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(at_limit.status(), 201);
}

#[tokio::test]
async fn chunks_resume_from_the_offset_the_server_reports() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(300_000, 1);
    let upload = app.create_upload(&case, video.len()).await;
    assert_eq!(app.upload_offset(&upload).await, Some(0));
    let first = app
        .patch_chunk(
            &upload,
            0,
            &video[..100_000],
            Some(sha1_base64(&video[..100_000])),
        )
        .await;
    assert_eq!(first.status(), 204);
    assert_eq!(first.headers()["upload-offset"], "100000");
    assert_eq!(first.headers()["tus-resumable"], "1.0.0");
    assert_eq!(app.upload_offset(&upload).await, Some(100_000));
    let case_view: Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(case_view["upload"]["offset"], 100_000);
    assert_eq!(case_view["upload"]["length"], 300_000);
    let mismatch = app
        .patch_chunk(&upload, 50_000, &video[50_000..60_000], None)
        .await;
    let body = problem(mismatch, 409).await;
    assert_eq!(body["code"], "offset_mismatch");
    let rest = app
        .patch_chunk(&upload, 100_000, &video[100_000..], None)
        .await;
    assert_eq!(rest.status(), 204);
    let case_view: Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(case_view["status"], "pending_review");
    assert_eq!(case_view["upload"], Value::Null);
}

#[tokio::test]
async fn a_chunk_with_a_bad_checksum_is_discarded() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(50_000, 2);
    let upload = app.create_upload(&case, video.len()).await;
    assert_eq!(
        app.patch_chunk(&upload, 0, &video[..20_000], None)
            .await
            .status(),
        204
    );
    let wrong = sha1_base64(b"something else");
    let refused = app
        .patch_chunk(&upload, 20_000, &video[20_000..], Some(wrong))
        .await;
    assert_eq!(refused.status().as_u16(), 460);
    assert_eq!(problem(refused, 460).await["code"], "checksum_mismatch");
    assert_eq!(app.upload_offset(&upload).await, Some(20_000));
    let id = upload.rsplit('/').next().expect("id");
    let staged = app.videos.staged_len(id).await.expect("staged");
    assert_eq!(staged, 20_000, "the discarded bytes are gone from storage");
    let bad_algorithm = app
        .client
        .patch(&upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "20000")
        .header("Upload-Checksum", "md5 AAAA")
        .body(video[20_000..].to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(bad_algorithm, 422).await["field"],
        "Upload-Checksum"
    );
    let ok = app
        .patch_chunk(
            &upload,
            20_000,
            &video[20_000..],
            Some(sha1_base64(&video[20_000..])),
        )
        .await;
    assert_eq!(ok.status(), 204);
}

#[tokio::test]
async fn a_file_that_is_not_a_video_is_refused_and_nothing_is_kept() {
    let (app, case) = app_with_case().await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 5000]);
    let upload = app.create_upload(&case, png.len()).await;
    let refused = app.patch_chunk(&upload, 0, &png, None).await;
    assert_eq!(
        problem(refused, 415).await["code"],
        "unsupported_media_type"
    );
    assert_eq!(app.upload_offset(&upload).await, None, "the upload is gone");
    let id = upload.rsplit('/').next().expect("id");
    assert_eq!(
        app.videos.staged_len(id).await.expect("staged"),
        0,
        "nothing kept"
    );
    let case_view: Value = app.get_json(&format!("/api/verifications/{case}")).await;
    assert_eq!(
        case_view["status"], "awaiting_upload",
        "the owner can send another file"
    );
}

#[tokio::test]
async fn patch_refuses_wrong_content_types_versions_and_overlong_chunks() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(10_000, 3);
    let upload = app.create_upload(&case, video.len()).await;
    let wrong_type = app
        .client
        .patch(&upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/octet-stream")
        .header("Upload-Offset", "0")
        .body(video.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(wrong_type, 415).await["code"],
        "unsupported_media_type"
    );
    let no_version = app
        .client
        .patch(&upload)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(video.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(no_version, 412).await["code"],
        "tus_version_unsupported"
    );
    let mut longer = video.clone();
    longer.extend_from_slice(b"extra");
    let overlong = app.patch_chunk(&upload, 0, &longer, None).await;
    assert_eq!(problem(overlong, 413).await["code"], "payload_too_large");
    assert_eq!(app.upload_offset(&upload).await, Some(0));
}

#[tokio::test]
async fn finished_and_deleted_uploads_take_no_more_bytes() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(10_000, 4);
    let upload = app.create_upload(&case, video.len()).await;
    assert_eq!(
        app.patch_chunk(&upload, 0, &video, None).await.status(),
        204
    );
    assert_eq!(app.upload_offset(&upload).await, Some(10_000));
    let again = app.patch_chunk(&upload, 10_000, b"more", None).await;
    assert_eq!(problem(again, 409).await["code"], "invalid_state");
    let delete_finished = app
        .client
        .delete(&upload)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(delete_finished, 409).await["code"], "invalid_state");
    // The case is under review now: a new upload for it is refused.
    let refused = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(refused, 409).await["code"], "invalid_state");

    app.add_old_device("SN0000000002").await;
    let other = app.open_case("SN0000000002").await;
    let upload = app.create_upload(&other, video.len()).await;
    assert_eq!(
        app.patch_chunk(&upload, 0, &video[..5_000], None)
            .await
            .status(),
        204
    );
    let deleted = app
        .client
        .delete(&upload)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.upload_offset(&upload).await, None);
    let after = app.patch_chunk(&upload, 5_000, &video[5_000..], None).await;
    assert_eq!(problem(after, 404).await["code"], "not_found");
    let twice = app
        .client
        .delete(&upload)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("sent");
    assert_eq!(twice.status(), 404);
}

#[tokio::test]
async fn a_new_upload_replaces_an_abandoned_one() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(10_000, 5);
    let first = app.create_upload(&case, video.len()).await;
    assert_eq!(
        app.patch_chunk(&first, 0, &video[..4_000], None)
            .await
            .status(),
        204
    );
    let second = app.create_upload(&case, video.len()).await;
    assert_eq!(app.upload_offset(&first).await, None);
    assert_eq!(
        app.patch_chunk(&second, 0, &video, None).await.status(),
        204
    );
}

/// A case with a 10 000-byte upload of which the first 4 000 bytes are stored; returns
/// the app, the case, the upload's URL and id, and the whole video.
async fn upload_begun(seed: u64) -> (TestApp, String, String, String, Vec<u8>) {
    let (app, case) = app_with_case().await;
    let video = video_bytes(10_000, seed);
    let upload = app.create_upload(&case, video.len()).await;
    let id = upload.rsplit('/').next().expect("id").to_owned();
    assert_eq!(
        app.patch_chunk(&upload, 0, &video[..4_000], None)
            .await
            .status(),
        204
    );
    (app, case, upload, id, video)
}

#[tokio::test]
async fn an_upload_abandoned_for_7_days_is_removed_and_takes_no_more_bytes() {
    let (app, _, upload, id, video) = upload_begun(6).await;
    app.advance(7 * DAY - 1).await;
    assert_eq!(app.upload_offset(&upload).await, Some(4_000));
    assert_eq!(app.videos.staged_len(&id).await.expect("staged"), 4_000);
    app.advance(1).await;
    assert_eq!(app.upload_offset(&upload).await, None, "ended");
    assert_eq!(app.videos.staged_len(&id).await.expect("staged"), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM uploads").await,
        0,
        "its row is gone with its bytes"
    );
    let late = app.patch_chunk(&upload, 4_000, &video[4_000..], None).await;
    assert_eq!(problem(late, 404).await["code"], "not_found");
}

#[tokio::test]
async fn a_whole_upload_a_crash_kept_from_finishing_is_not_abandoned_but_finished() {
    let (app, case, _, id, video) = upload_begun(7).await;
    // The last chunk is stored and counted; the process dies before finishing it.
    let mut last = app.videos.begin_chunk(&id, 4_000).await.expect("chunk");
    last.write(&video[4_000..]).await.expect("written");
    last.commit().await.expect("stored");
    let mut tx = app.db.write().await.expect("tx");
    assert!(
        care_server::verification::uploads::queries::advance(&mut tx, &id, 4_000, 10_000)
            .await
            .expect("counted")
    );
    tx.commit().await.expect("commit");
    app.advance(7 * DAY).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM uploads WHERE video_deleted_at IS NULL AND terminated_at IS NULL"
        )
        .await,
        1,
        "retention leaves it"
    );
    let restarted = app.restart().await;
    assert_eq!(restarted.case(&case).await["status"], "pending_review");
    assert_eq!(restarted.video(&case).await, video);
}

#[tokio::test]
async fn a_412_names_the_versions_the_server_speaks() {
    let (app, case) = app_with_case().await;
    let refused = creation(&app)
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Length", "100")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 412);
    assert_eq!(refused.headers()["tus-version"], "1.0.0");
    let upload = app.create_upload(&case, 1000).await;
    let refused = app
        .client
        .head(&upload)
        .header("Tus-Resumable", "2.0.0")
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 412);
    assert_eq!(refused.headers()["tus-version"], "1.0.0");
}

#[tokio::test]
async fn creation_with_upload_takes_the_first_chunk() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(100_000, 11);
    let first = 60_000;
    let created = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", video.len().to_string())
        .header("Upload-Metadata", metadata(&case))
        .header("Content-Type", "application/offset+octet-stream")
        .header(
            "Upload-Checksum",
            format!("sha1 {}", sha1_base64(&video[..first])),
        )
        .body(video[..first].to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["upload-offset"], first.to_string());
    let upload = app.url(created.headers()["location"].to_str().expect("ascii"));
    assert_eq!(app.upload_offset(&upload).await, Some(first as u64));
    let rest = app.patch_chunk(&upload, first, &video[first..], None).await;
    assert_eq!(rest.status(), 204);
    assert_eq!(app.case(&case).await["status"], "pending_review");
    assert_eq!(app.video(&case).await, video);

    // The whole file in the creation request finishes the upload at once.
    app.add_old_device("SN0000000002").await;
    let second = app.open_case("SN0000000002").await;
    let created = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", video.len().to_string())
        .header("Upload-Metadata", metadata(&second))
        .header("Content-Type", "application/offset+octet-stream")
        .body(video.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["upload-offset"], video.len().to_string());
    assert_eq!(app.case(&second).await["status"], "pending_review");
}

#[tokio::test]
async fn creation_with_upload_refuses_a_non_video_and_a_bad_checksum() {
    let (app, case) = app_with_case().await;
    let png = b"\x89PNG\r\n\x1a\n and the rest of an image".to_vec();
    let refused = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "1000")
        .header("Upload-Metadata", metadata(&case))
        .header("Content-Type", "application/offset+octet-stream")
        .body(png)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(refused, 415).await["code"],
        "unsupported_media_type"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM uploads WHERE terminated_at IS NULL")
            .await,
        0,
        "nothing is kept of a file that is not a video"
    );
    let video = video_bytes(1000, 3);
    let refused = creation(&app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "1000")
        .header("Upload-Metadata", metadata(&case))
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Checksum", format!("sha1 {}", sha1_base64(b"other")))
        .body(video)
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(refused, 460).await["code"], "checksum_mismatch");
    let open: Value = app.case(&case).await;
    assert_eq!(open["upload"]["offset"], 0, "the chunk was discarded");
}

#[tokio::test]
async fn a_trailing_slash_reaches_the_same_routes() {
    let (app, case) = app_with_case().await;
    let options = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/uploads/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(options.status(), 204);
    let created = app
        .client
        .post(app.url("/api/uploads/"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "1000")
        .header("Upload-Metadata", metadata(&case))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    let upload = app.url(created.headers()["location"].to_str().expect("ascii"));
    assert_eq!(app.upload_offset(&format!("{upload}/")).await, Some(0));
}

/// A creation request for `case` of `length` bytes, with this raw metadata.
async fn create_with(app: &TestApp, metadata: &str, length: u64) -> reqwest::Response {
    creation(app)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", metadata)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn metadata_over_1_kib_is_refused_and_unknown_keys_are_dropped() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let (app, case) = app_with_case().await;
    let long = format!("{},note {}", metadata(&case), b64(&"x".repeat(1100)));
    let refused = create_with(&app, &long, 1000).await;
    assert_eq!(problem(refused, 413).await["field"], "Upload-Metadata");
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads").await, 0);

    // Uppy and tus-js-client send keys of their own: taken, and not kept.
    let extra = format!(
        "{},filename {},relativePath {},name {}",
        metadata(&case),
        b64("clip.mp4"),
        b64("null"),
        b64("clip.mp4")
    );
    let created = create_with(&app, &extra, 1000).await;
    assert_eq!(created.status(), 201);
    let upload = app.url(created.headers()["location"].to_str().expect("ascii"));
    let head = app
        .client
        .head(&upload)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        head.headers()["upload-metadata"],
        format!(
            "verification_id {},filename {}",
            b64(&case),
            b64("clip.mp4")
        )
    );
}

#[tokio::test]
async fn creating_uploads_is_limited_per_case_and_by_the_case_quota() {
    let (app, case) = app_with_case().await;
    for _ in 0..10 {
        assert_eq!(
            create_with(&app, &metadata(&case), 1000).await.status(),
            201
        );
    }
    let limited = create_with(&app, &metadata(&case), 1000).await;
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");

    // Two whole videos' worth of bytes per case, then a new case is needed.
    app.add_old_device("SN0000000002").await;
    let second = app.open_case("SN0000000002").await;
    let gib2 = 2u64 << 30;
    assert_eq!(
        create_with(&app, &metadata(&second), gib2).await.status(),
        201
    );
    assert_eq!(
        create_with(&app, &metadata(&second), gib2).await.status(),
        201
    );
    let over = create_with(&app, &metadata(&second), 1000).await;
    let body = problem(over, 413).await;
    assert_eq!(body["code"], "payload_too_large");
    assert_eq!(body["field"], "Upload-Length");
}

#[tokio::test]
async fn creating_uploads_is_limited_per_client() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let serial = format!("SN000000000{i}");
        app.add_old_device(&serial).await;
        let case = app.open_case(&serial).await;
        for _ in 0..9 {
            statuses.push(
                create_with(&app, &metadata(&case), 1000)
                    .await
                    .status()
                    .as_u16(),
            );
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 30);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 6);
}

#[tokio::test]
async fn a_full_store_refuses_new_uploads_with_507() {
    let app = spawn_app_with(|s| s.storage_limits.quota_bytes = Some(5_000)).await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    assert_eq!(
        create_with(&app, &metadata(&case), 4_000).await.status(),
        201
    );
    // The first, still open, is replaced by the next: it frees its bytes.
    let second = create_with(&app, &metadata(&case), 4_000).await;
    assert_eq!(second.status(), 201, "{:?}", second.text().await);
    app.add_old_device("SN0000000002").await;
    let other = app.open_case("SN0000000002").await;
    let full = create_with(&app, &metadata(&other), 2_000).await;
    assert_eq!(problem(full, 507).await["code"], "storage_full");

    if app.storage.starts_with("file://") {
        // A disk without the reserve's room free.
        let tight = spawn_app_with(|s| s.storage_limits.reserve_bytes = u64::MAX / 4).await;
        tight.add_old_device("SN0000000001").await;
        let case = tight.open_case("SN0000000001").await;
        let full = create_with(&tight, &metadata(&case), 1_000).await;
        assert_eq!(problem(full, 507).await["code"], "storage_full");
    }
}

#[tokio::test]
async fn a_case_awaits_its_video_14_days_then_expires_with_its_partial_upload() {
    let (app, case) = app_with_case().await;
    let video = video_bytes(100_000, 8);
    app.advance(10 * DAY).await;
    let upload = app.create_upload(&case, video.len()).await;
    assert_eq!(
        app.patch_chunk(&upload, 0, &video[..30_000], None)
            .await
            .status(),
        204
    );
    app.advance(4 * DAY - 1).await;
    assert_eq!(app.case(&case).await["status"], "awaiting_upload");
    app.advance(1).await;
    assert_eq!(app.case(&case).await["status"], "expired");
    let refused = create_with(&app, &metadata(&case), 1000).await;
    assert_eq!(problem(refused, 409).await["code"], "invalid_state");
    // The partial upload is removed, and its row once its bytes are gone.
    assert_eq!(app.upload_offset(&upload).await, None);
    let id = upload.rsplit('/').next().expect("id");
    assert_eq!(app.videos.staged_len(id).await.expect("staged"), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM uploads WHERE terminated_at IS NOT NULL")
            .await,
        0
    );
}

/// Uploads `bytes` whole to a new case's upload in 1 MiB chunks; returns the case, the
/// upload's URL and the last chunk's answer.
async fn upload_whole(
    app: &TestApp,
    serial: &str,
    bytes: &[u8],
) -> (String, String, reqwest::Response) {
    app.add_old_device(serial).await;
    let case = app.open_case(serial).await;
    let upload = app.create_upload(&case, bytes.len()).await;
    let mut offset = 0;
    loop {
        let end = (offset + (1 << 20)).min(bytes.len());
        let response = app
            .patch_chunk(&upload, offset, &bytes[offset..end], None)
            .await;
        if end == bytes.len() || response.status() != 204 {
            return (case, upload, response);
        }
        offset = end;
    }
}

#[tokio::test]
async fn the_server_reads_the_container_of_every_finished_upload() {
    let app = spawn_app().await;
    // An MP4 signature followed by noise: no index, no video track.
    let mut fake = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    fake.extend(video_bytes(200_000, 3).split_off(100_000));
    let (case, upload, refused) = upload_whole(&app, "SN0000000001", &fake).await;
    assert_eq!(
        problem(refused, 415).await["code"],
        "unsupported_media_type"
    );
    assert_eq!(app.case(&case).await["status"], "awaiting_upload");
    assert_eq!(app.upload_offset(&upload).await, None, "nothing was kept");

    let short = fixture_with_padding("clip-5s.mp4", 0);
    let (case, _, refused) = upload_whole(&app, "SN0000000002", &short).await;
    assert_eq!(
        problem(refused, 422).await["code"],
        "video_duration_out_of_range"
    );
    assert_eq!(app.case(&case).await["status"], "awaiting_upload");

    let long = fixture_with_padding("clip-11min.mp4", 0);
    let (_, _, refused) = upload_whole(&app, "SN0000000003", &long).await;
    assert_eq!(
        problem(refused, 422).await["code"],
        "video_duration_out_of_range"
    );

    let sound = fixture_with_padding("audio-20s.mp4", 0);
    let (_, _, refused) = upload_whole(&app, "SN0000000004", &sound).await;
    assert_eq!(
        problem(refused, 415).await["code"],
        "unsupported_media_type"
    );

    // A MOV whose index sits at the end of 6 MiB is taken, on disk and in a bucket.
    let mov = fixture_with_padding("clip-20s.mov", 6 << 20);
    let (case, _, stored) = upload_whole(&app, "SN0000000005", &mov).await;
    assert_eq!(stored.status(), 204);
    assert_eq!(app.case(&case).await["status"], "pending_review");
    assert_eq!(app.video(&case).await, mov);
    // The refused ones left no bytes behind.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM uploads WHERE finished_at IS NOT NULL")
            .await,
        1
    );
}
