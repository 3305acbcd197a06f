//! Two server instances on one database and one upload storage, as behind a load
//! balancer: an upload started on one is finished on the other, and a code raced for
//! through both still has one winner.

use crate::helpers::{activation, spawn_app, video_bytes};
use care_rules::Plan;
use serde_json::Value;

#[tokio::test]
async fn an_upload_started_on_one_instance_finishes_on_the_other() {
    let first = spawn_app().await;
    let second = first.restart().await;
    first.add_old_device("SN0000000001").await;
    let case = first.open_case("SN0000000001").await;
    let video = video_bytes(6 * 1024 * 1024, 11);
    let on_first = first.create_upload(&case, video.len()).await;
    assert_eq!(
        first
            .patch_chunk(&on_first, 0, &video[..4 << 20], None)
            .await
            .status(),
        204
    );
    let path = on_first.split("/api/").nth(1).expect("path");
    let on_second = second.url(&format!("/api/{path}"));
    assert_eq!(second.upload_offset(&on_second).await, Some(4 << 20));
    assert_eq!(
        second
            .patch_chunk(&on_second, 4 << 20, &video[4 << 20..], None)
            .await
            .status(),
        204
    );
    assert_eq!(first.case(&case).await["status"], "pending_review");
    assert_eq!(
        second.video(&case).await,
        video,
        "the video is whole, wherever it is read"
    );
}

#[tokio::test]
async fn a_chunk_that_lost_its_race_on_another_instance_leaves_the_video_whole() {
    let app = spawn_app().await;
    app.add_old_device("SN0000000001").await;
    let case = app.open_case("SN0000000001").await;
    let video = video_bytes(3 << 20, 12);
    let upload = app.create_upload(&case, video.len()).await;
    let id = upload.rsplit('/').next().expect("id");
    let first = 1 << 20;
    assert_eq!(
        app.patch_chunk(&upload, 0, &video[..first], None)
            .await
            .status(),
        204
    );
    // Another instance takes a retried chunk at the same offset and stores its bytes
    // only after this one has stored and counted a shorter chunk there.
    let mut loser = app
        .videos
        .begin_chunk(id, first as u64)
        .await
        .expect("chunk");
    let winner = first + 300_000;
    assert_eq!(
        app.patch_chunk(&upload, first, &video[first..winner], None)
            .await
            .status(),
        204
    );
    loser
        .write(&video[first..first + 700_000])
        .await
        .expect("written");
    loser.commit().await.expect("stored");
    // Its request then finds the upload moved on and is refused; the client goes on
    // from the server's offset.
    assert_eq!(app.upload_offset(&upload).await, Some(winner as u64));
    assert_eq!(
        app.patch_chunk(&upload, winner, &video[winner..], None)
            .await
            .status(),
        204
    );
    assert_eq!(app.video(&case).await, video, "the video is whole");
}

#[tokio::test]
async fn uploads_created_for_one_case_at_once_on_two_instances_leave_one_open() {
    let first = spawn_app().await;
    let second = first.restart().await;
    first.add_old_device("SN0000000001").await;
    let case = first.open_case("SN0000000001").await;
    let creations = (0..10).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        app.create_upload(&case, 10_000)
    });
    futures::future::join_all(creations).await;
    assert_eq!(
        first
            .count("SELECT COUNT(*) FROM uploads WHERE terminated_at IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn fifty_activations_of_one_code_across_two_instances_have_one_winner() {
    let first = spawn_app().await;
    let second = first.restart().await;
    let code = first.add_code("osmo-360", Plan::Annual).await;
    for i in 0..50 {
        first
            .add_device(&format!("RACE{i:08}"), "osmo-360", None)
            .await;
    }
    let attempts = (0..50).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let (client, url) = (app.client.clone(), app.url("/api/activations"));
        let body = activation(&code, &format!("RACE{i:08}"));
        tokio::spawn(async move { client.post(url).json(&body).send().await })
    });
    let mut statuses = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        statuses.push(attempt.expect("task").expect("sent").status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    assert_eq!(first.count("SELECT COUNT(*) FROM coverages").await, 1);
    assert_eq!(first.count("SELECT COUNT(*) FROM activations").await, 1);
}

#[tokio::test]
async fn a_staff_session_opened_on_one_instance_holds_on_the_other() {
    let first = spawn_app().await;
    let second = first.restart().await;
    let cookie = first.staff_cookie(care_rules::Role::Service).await;
    let me = second
        .client
        .get(second.url("/api/staff/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn two_instances_deliver_each_email_once() {
    let first = spawn_app().await;
    let second = first.restart().await;
    for i in 0..6 {
        let app = if i % 2 == 0 { &first } else { &second };
        let serial = format!("MAIL{i:08}");
        app.add_device(&serial, "osmo-360", None).await;
        let code = app.add_code("osmo-360", Plan::Annual).await;
        assert_eq!(app.activate(&code, &serial).await.status(), 201);
    }
    // Both workers run; each message must be leased and sent by one of them.
    let outbox = first.dir.path().join("data/outbox");
    for _ in 0..100 {
        let files = std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
        if first
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await
            == 0
            && files >= 6
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        first
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        6
    );
    assert_eq!(
        std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0),
        6,
        "no message went twice"
    );
}

#[tokio::test]
async fn two_instances_send_each_reminder_once() {
    let first = spawn_app().await;
    let second = first.restart().await;
    first.add_device("SN0000000001", "osmo-360", None).await;
    let code = first.add_code("osmo-360", Plan::Annual).await;
    let doc: Value = first
        .activate(&code, "SN0000000001")
        .await
        .json()
        .await
        .expect("json");
    let end: care_rules::Timestamp = doc["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let before = end - jiff::SignedDuration::from_hours(30 * 24);
    for app in [&first, &second] {
        let now = app.now().await;
        app.advance((before - now).as_secs()).await;
    }
    let sent = first
        .count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%30 dni%'")
        .await;
    assert_eq!(sent, 1, "both instances swept; one reminder");
}
