use crate::helpers::{TestApp, problem, spawn_app};
use care_rules::Serial;
use care_server::coverage::DeviceState;
use care_server::db::{Dialect, WATCH_INTERVAL};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

// The lookup is served from the records kept between writes (coverage/cache.rs).

/// The records an instance keeps for `serial`: two lookups back to back, with no write
/// between them, get the same records. (The count may move between any two lookups when
/// something writes, say the startup sweeps, or while the watch starts listening. So
/// try again until a pair is quiet.)
async fn settled(app: &TestApp, serial: &Serial) -> Arc<DeviceState> {
    for _ in 0..200 {
        let first = lookup(app, serial).await;
        let again = lookup(app, serial).await;
        if Arc::ptr_eq(&first, &again) {
            return first;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the records of {serial} are read again at every lookup");
}

/// The records `app` answers a lookup of `serial` with now.
async fn lookup(app: &TestApp, serial: &Serial) -> Arc<DeviceState> {
    app.state
        .coverage
        .device(&app.db, serial)
        .await
        .expect("read")
}

/// Waits until `app` lets go of `kept` (another instance's write heard): in
/// milliseconds; a second leaves room for a busy machine.
async fn retired_within_a_second(app: &TestApp, serial: &Serial, kept: &Arc<DeviceState>) {
    let written = Instant::now();
    while Arc::ptr_eq(kept, &lookup(app, serial).await) {
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "not heard after {:?}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn lookups_between_writes_share_one_read_and_a_write_here_shows_at_once() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let serial = Serial::parse("SN0000000001").expect("serial");
    let first = settled(&app, &serial).await;
    let before: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(before["status"], "none");
    let code = app.add_code("osmo-360", care_rules::Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000001").await.status(), 201);
    // The answer to the activation has been sent: the next lookup shows it.
    let after: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(after["status"], "active");
    let device: Value = app.get_json("/api/devices/SN0000000001").await;
    assert_eq!(device["coverage"]["status"], "active");
    let fresh = lookup(&app, &serial).await;
    assert!(
        !Arc::ptr_eq(&first, &fresh),
        "the write retired the kept records"
    );
}

#[tokio::test]
async fn kept_records_answer_with_the_clock_of_the_lookup() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let code = app.add_code("osmo-360", care_rules::Plan::Annual).await;
    assert_eq!(app.activate(&code, "SN0000000001").await.status(), 201);
    let active: Value = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(active["status"], "active");
    let end: care_rules::Timestamp = active["terms"][0]["ends_at"]
        .as_str()
        .expect("end")
        .parse()
        .expect("instant");
    let now = app.now().await;
    // A second before the end, at the end, and the grace period's last second and the
    // one after it: each lookup is built with the clock of its own moment.
    app.advance((end - now).as_secs() - 1).await;
    let status = |doc: Value| doc["status"].as_str().map(str::to_owned);
    assert_eq!(
        status(app.get_json("/api/coverage/SN0000000001").await).as_deref(),
        Some("active")
    );
    app.advance(1).await;
    let at_end = app.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(status(at_end).as_deref(), Some("grace"));
    app.advance(15 * 86_400 - 1).await;
    assert_eq!(
        status(app.get_json("/api/coverage/SN0000000001").await).as_deref(),
        Some("grace")
    );
    app.advance(1).await;
    assert_eq!(
        status(app.get_json("/api/coverage/SN0000000001").await).as_deref(),
        Some("expired")
    );
}

#[tokio::test]
async fn another_instances_write_shows_within_the_watch_interval() {
    let first = spawn_app().await;
    let second = first.restart().await;
    first.add_device("SN0000000001", "osmo-360", None).await;
    let seen: Value = second.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(seen["status"], "none");
    let serial = Serial::parse("SN0000000001").expect("serial");
    let kept = settled(&second, &serial).await;
    assert!(kept.coverage.is_none(), "kept by the second instance");
    let code = first.add_code("osmo-360", care_rules::Plan::Annual).await;
    assert_eq!(first.activate(&code, "SN0000000001").await.status(), 201);
    let written = Instant::now();
    let on_first: Value = first.get_json("/api/coverage/SN0000000001").await;
    assert_eq!(on_first["status"], "active", "at once where it was written");
    loop {
        let on_second: Value = second.get_json("/api/coverage/SN0000000001").await;
        if on_second["status"] == "active" {
            break;
        }
        assert!(
            // The watch looks every WATCH_INTERVAL; a machine busy with other tests may
            // add to it.
            written.elapsed() <= WATCH_INTERVAL + Duration::from_millis(1750),
            "still stale after {:?}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// PostgreSQL: other instances hear only writes to the tables the records are read from.

#[tokio::test]
async fn other_writes_on_postgres_leave_the_kept_records_alone() {
    let first = spawn_app().await;
    if first.db.dialect() != Dialect::Postgres {
        // SQLite has one instance; an operator command's write retires everything.
        return;
    }
    let second = first.restart().await;
    first.add_device("SN0000000001", "osmo-360", None).await;
    first.add_old_device("SN0000000003").await;
    let serial = Serial::parse("SN0000000001").expect("serial");
    // Once the new instance listens (it begins by letting go of what it kept).
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    let kept = settled(&second, &serial).await;
    // A video case and its mail: writes to other tables.
    first.open_case("SN0000000003").await;
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    let still = lookup(&second, &serial).await;
    assert!(
        Arc::ptr_eq(&kept, &still),
        "retired by a write to another table"
    );
    // A write to a device is heard (in milliseconds; a second leaves room for a busy
    // machine).
    first.add_device("SN0000000002", "osmo-360", None).await;
    retired_within_a_second(&second, &serial, &kept).await;
}

/// Every table the coverage records are read from notifies the other instances: the
/// `FROM` clauses of the coverage feature's queries against the triggers there are.
#[tokio::test]
async fn every_table_coverage_is_read_from_notifies_other_instances() {
    let app = spawn_app().await;
    if app.db.dialect() != Dialect::Postgres {
        return;
    }
    let mut read = std::collections::BTreeSet::new();
    for file in ["src/coverage/devices.rs", "src/coverage/chains.rs"] {
        let source = std::fs::read_to_string(file).expect("the coverage queries");
        for clause in source.split("FROM ").skip(1) {
            let table: String = clause
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            read.insert(table);
        }
    }
    assert!(read.contains("replacements"), "{read:?}");
    let notifying: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'care_notify_write'",
    )
    .fetch_all(&app.pool().await)
    .await
    .expect("triggers");
    let notifying: std::collections::BTreeSet<String> = notifying.into_iter().collect();
    assert_eq!(read, notifying);
}

// The proof of coverage's QR code (coverage/qr.rs).

/// The dark modules of a served QR code: the SVG path draws each run as
/// `M{left} {top}h{width}v{height}H{left}V{top}`.
fn dark_modules(svg: &str) -> (usize, Vec<(usize, usize, usize)>) {
    let size = svg
        .split(r#"viewBox="0 0 "#)
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a square viewBox");
    let path = svg.split(r#" d=""#).nth(1).expect("a path");
    let path = &path[..path.find('"').expect("the path's end")];
    let runs = path
        .split('M')
        .filter(|run| !run.is_empty())
        .map(|run| {
            let numbers: Vec<usize> = run
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().expect("a number"))
                .collect();
            // left, top, width (the height of every run is one module)
            assert_eq!(numbers[3], 1, "{run}");
            (numbers[0], numbers[1], numbers[2])
        })
        .collect();
    (size, runs)
}

#[tokio::test]
async fn the_qr_code_opens_the_public_coverage_page_of_a_known_serial() {
    let app = spawn_app().await;
    app.add_device("SN0000000001", "osmo-360", None).await;
    let response = app.get("/api/coverage/sn-0000000001/qr.svg").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert_eq!(response.headers()["cache-control"], "public, max-age=86400");
    let svg = response.text().await.expect("body");
    assert!(!svg.contains("<script"), "{svg}");
    // Read as a phone would: each module 4 pixels wide.
    let (size, runs) = dark_modules(&svg);
    let mut dark = vec![false; size * size];
    for (left, top, width) in runs {
        for x in left..left + width {
            dark[top * size + x] = true;
        }
    }
    let scale = 4;
    let mut image = rqrr::PreparedImage::prepare_from_bitmap(size * scale, size * scale, |x, y| {
        dark[(y / scale) * size + x / scale]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().expect("a readable code");
    assert_eq!(content, app.url("/coverage/SN0000000001"));

    assert_eq!(
        problem(app.get("/api/coverage/SN9999999999/qr.svg").await, 404).await["code"],
        "device_not_found"
    );
    assert_eq!(
        problem(app.get("/api/coverage/SN_1/qr.svg").await, 422).await["code"],
        "invalid_serial"
    );
}

/// A TCP relay to PostgreSQL that can stop passing the bytes of the connections that
/// listen for notifications (those that sent `LISTEN`) while keeping them open: a
/// connection gone without a word, as a dropped NAT entry or a failover leaves it.
struct SilencingRelay {
    port: u16,
    /// How many connections sent `LISTEN`.
    listening: Arc<std::sync::atomic::AtomicUsize>,
    /// The connections silenced: those listening when [`SilencingRelay::silence`] ran.
    silenced: Arc<std::sync::Mutex<Vec<usize>>>,
    listeners: Arc<std::sync::Mutex<Vec<usize>>>,
}

impl SilencingRelay {
    async fn start(upstream: String) -> SilencingRelay {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        let port = socket.local_addr().expect("address").port();
        let relay = SilencingRelay {
            port,
            listening: Arc::new(AtomicUsize::new(0)),
            silenced: Arc::default(),
            listeners: Arc::default(),
        };
        let (listening, silenced, listeners) = (
            relay.listening.clone(),
            relay.silenced.clone(),
            relay.listeners.clone(),
        );
        tokio::spawn(async move {
            let mut next_id = 0;
            while let Ok((client, _)) = socket.accept().await {
                next_id += 1;
                let id = next_id;
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (mut client_in, mut client_out) = client.into_split();
                let (mut server_in, mut server_out) = server.into_split();
                let is_silenced = {
                    let silenced = silenced.clone();
                    move || silenced.lock().expect("lock").contains(&id)
                };
                let (listening, listeners) = (listening.clone(), listeners.clone());
                let silent = is_silenced.clone();
                tokio::spawn(async move {
                    let mut buffer = vec![0; 64 * 1024];
                    while let Ok(n) = client_in.read(&mut buffer).await {
                        if n == 0 {
                            break;
                        }
                        if buffer[..n].windows(7).any(|w| w == b"LISTEN ") {
                            listening.fetch_add(1, Ordering::SeqCst);
                            listeners.lock().expect("lock").push(id);
                        }
                        if silent() {
                            continue;
                        }
                        if server_out.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                    // Held open, whatever happens: silence, not a closed connection.
                    std::future::pending::<()>().await;
                });
                tokio::spawn(async move {
                    let mut buffer = vec![0; 64 * 1024];
                    while let Ok(n) = server_in.read(&mut buffer).await {
                        if n == 0 {
                            break;
                        }
                        if is_silenced() {
                            continue;
                        }
                        if client_out.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                    std::future::pending::<()>().await;
                });
            }
        });
        relay
    }

    fn silence(&self) {
        let listeners = self.listeners.lock().expect("lock").clone();
        self.silenced.lock().expect("lock").extend(listeners);
    }

    fn listening(&self) -> usize {
        self.listening.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// An instance whose listening connection goes silent (no error, no close) listens
/// again on a new one, and hears other instances' writes as before.
#[tokio::test]
async fn a_listener_whose_connection_goes_silent_listens_again() {
    let first = spawn_app().await;
    if first.db.dialect() != Dialect::Postgres {
        return;
    }
    let url = first.database_url.clone();
    let (scheme_user, rest) = url.split_once('@').expect("postgres://user@host:port/db");
    let (host, database) = rest.split_once('/').expect("a database");
    let relay = SilencingRelay::start(host.to_owned()).await;
    let relayed = format!("{scheme_user}@127.0.0.1:{}/{database}", relay.port);
    let second = first
        .restart_with(|s| s.data.database_url = Some(relayed))
        .await;
    first.add_device("SN0000000001", "osmo-360", None).await;
    let serial = Serial::parse("SN0000000001").expect("serial");
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    assert_eq!(relay.listening(), 1, "the second instance listens");
    settled(&second, &serial).await;

    relay.silence();
    let silenced = Instant::now();
    while relay.listening() < 2 {
        assert!(
            // RECONNECT_AFTER (5 s), and room for a busy machine.
            silenced.elapsed() < Duration::from_secs(9),
            "no new listening connection after {:?}",
            silenced.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Hearing again: what is kept stays kept while nobody writes (a deaf listener lets
    // go of it at every beat), and another instance's write retires it.
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    let kept = settled(&second, &serial).await;
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    let still = lookup(&second, &serial).await;
    assert!(Arc::ptr_eq(&kept, &still), "still deaf");
    first.add_device("SN0000000002", "osmo-360", None).await;
    retired_within_a_second(&second, &serial, &kept).await;
}

/// An instance whose every pooled connection is taken by requests (16 on PostgreSQL)
/// still hears its own beat: once the rush is over, what it kept is still kept.
#[tokio::test]
async fn a_busy_instance_keeps_hearing_its_beat() {
    let app = spawn_app().await;
    if app.db.dialect() != Dialect::Postgres {
        return;
    }
    app.add_device("SN0000000001", "osmo-360", None).await;
    let serial = Serial::parse("SN0000000001").expect("serial");
    tokio::time::sleep(WATCH_INTERVAL * 4).await;
    let kept = settled(&app, &serial).await;
    let mut rush = Vec::new();
    for _ in 0..16 {
        rush.push(app.db.read().await.expect("a pooled connection"));
    }
    // Longer than DEAF_AFTER (600 ms) with no connection left in the pool.
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(rush);
    tokio::time::sleep(WATCH_INTERVAL * 3).await;
    let after = lookup(&app, &serial).await;
    assert!(
        Arc::ptr_eq(&kept, &after),
        "the rush made the instance let go of what it kept"
    );
}
