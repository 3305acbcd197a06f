use care_rules::{Code, Lang, Plan, Role, Timestamp};
use care_server::activation::codes::CodeKey;
use care_server::config::Settings;
use care_server::coverage::devices::{self, DeviceRecord};
use care_server::db::Db;
use care_server::operator;
use care_server::startup::Application;
use care_server::verification::cases::{self, VerificationRecord};
use care_server::verification::uploads::store::VideoStore;
use serde_json::{Value, json};
use sqlx::AnyPool;
use std::sync::Arc;
use tempfile::TempDir;

pub const INDEX_HTML: &str = "<!doctype html><title>Care Refresh</title>";
/// A built asset as Trunk names it, with its content hash.
pub const ASSET: &str = "care-portal-0123456789abcdef.js";
/// Stands in for the brotli file the build writes beside it.
pub const BROTLI_ASSET: &[u8] = b"brotli bytes";
pub const DAY: i64 = 24 * 3600;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub videos: Arc<VideoStore>,
    pub key: CodeKey,
    pub dir: Arc<TempDir>,
    /// The backend this app runs on, for a restart and for direct queries.
    pub database_url: String,
    pub storage: String,
    /// Where the metrics are served, when the settings asked for them.
    pub metrics: Option<String>,
    /// The running app's shared state, to run a job at a chosen moment.
    pub state: care_server::state::AppState,
}

/// The backend of the tests: SQLite and the local disk by default; PostgreSQL (a new
/// database per test app) with `CARE_TEST_POSTGRES=postgres://…/maintenance_db`, and an
/// S3-compatible bucket (a new prefix per test app) with `CARE_TEST_S3=s3://bucket`.
pub async fn backend(dir: &std::path::Path) -> (String, String) {
    let database = match std::env::var("CARE_TEST_POSTGRES") {
        Ok(maintenance) => {
            sqlx::any::install_default_drivers();
            let name = format!("care_test_{}", care_server::ids::random_id());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&maintenance)
                .await
                .expect("the PostgreSQL test server");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("a test database");
            let base = maintenance
                .rsplit_once('/')
                .map_or(maintenance.as_str(), |(b, _)| b)
                .to_owned();
            format!("{base}/{name}")
        }
        Err(_) => format!("sqlite://{}", dir.join("data/care.db").display()),
    };
    let storage = match std::env::var("CARE_TEST_S3") {
        Ok(bucket) => format!("{bucket}/{}", care_server::ids::random_id()),
        Err(_) => format!("file://{}", dir.join("data/uploads").display()),
    };
    (database, storage)
}

pub fn settings(dir: &TempDir) -> Settings {
    let mut settings = Settings::under(dir.path());
    std::fs::create_dir_all(&settings.web_dir).expect("web dir");
    std::fs::write(settings.web_dir.join("index.html"), INDEX_HTML).expect("index.html");
    std::fs::write(settings.web_dir.join(ASSET), "console.log('app')").expect("asset");
    std::fs::write(settings.web_dir.join(format!("{ASSET}.br")), BROTLI_ASSET).expect("asset.br");
    settings.test_clock = true;
    settings
}

/// A real server on a free loopback port, with its own database and the test clock.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temporary directory"));
    let (database, storage) = backend(dir.path()).await;
    start_in(dir, database, storage, change).await
}

async fn start_in(
    dir: Arc<TempDir>,
    database_url: String,
    storage: String,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = settings(&dir);
    settings.data.database_url = Some(database_url.clone());
    settings.data.storage = Some(storage.clone());
    change(&mut settings);
    let app = Application::build(&settings).await.expect("the app builds");
    let address = format!("http://{}", app.address().expect("bound"));
    let db = app.db();
    let videos = app.videos();
    let key = app.code_key();
    let metrics = app.metrics_address().map(|a| format!("http://{a}"));
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        videos,
        key,
        dir,
        database_url,
        storage,
        metrics,
        state,
    }
}

pub fn customer() -> Value {
    json!({"name": "Jan Kowalski", "email": "jan.kowalski@example.pl", "phone": "+48600100200"})
}

pub fn activation(code: &Code, serial: &str) -> Value {
    json!({"code": code.to_string(), "serial": serial, "customer": customer(), "accept_terms": true})
}

impl TestApp {
    /// A new server on the same data: what a restart (or a second instance) sees. Its
    /// test clock starts anew, so it is moved on to this one's time.
    pub async fn restart(&self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// A restart (or second instance) with settings of its own.
    pub async fn restart_with(&self, change: impl FnOnce(&mut Settings)) -> TestApp {
        let now = self.now().await;
        let next = start_in(
            self.dir.clone(),
            self.database_url.clone(),
            self.storage.clone(),
            change,
        )
        .await;
        let behind = (now - next.now().await).as_secs();
        if behind > 0 {
            next.advance(behind).await;
        }
        next
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// A GET's JSON body, whatever the status.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.expect("json")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn activate(&self, code: &Code, serial: &str) -> reqwest::Response {
        self.post_json("/api/activations", &activation(code, serial))
            .await
    }

    /// The server's (test) clock.
    pub async fn now(&self) -> Timestamp {
        let body: Value = self.get_json("/api/test-clock").await;
        body["now"].as_str().expect("now").parse().expect("instant")
    }

    pub async fn advance(&self, seconds: i64) -> Timestamp {
        let response = self
            .post_json("/api/test-clock", &json!({"advance_seconds": seconds}))
            .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["now"].as_str().expect("now").parse().expect("instant")
    }

    /// Registers a device, as `import devices` would.
    /// A device its owner activated 40 days ago: a plan for it needs a video first.
    pub async fn add_old_device(&self, serial: &str) {
        let now = self.now().await;
        let then = Timestamp::from_second(now.as_second() - 40 * DAY).expect("an instant");
        self.add_device(serial, "osmo-360", Some(then)).await;
    }

    pub async fn add_device(
        &self,
        serial: &str,
        product_id: &str,
        activated_at: Option<Timestamp>,
    ) {
        let mut tx = self.db.write().await.expect("tx");
        let device = DeviceRecord {
            serial: care_rules::Serial::parse(serial).expect("serial"),
            product_id: product_id.to_owned(),
            activated_at,
            replaced_by: None,
        };
        assert!(
            devices::insert(&mut tx, &device, Timestamp::now())
                .await
                .expect("insert")
        );
        tx.commit().await.expect("commit");
    }

    /// A new unused code, as `codes generate` would make it.
    pub async fn add_code(&self, product_id: &str, plan: Plan) -> Code {
        let mut codes =
            operator::generate_codes(&self.db, &self.key, product_id, plan, 1, Timestamp::now())
                .await
                .expect("generated");
        codes.pop().expect("one code")
    }

    /// A verification case that staff accepted at `accepted_at`.
    pub async fn accepted_verification(&self, serial: &str, accepted_at: Timestamp) -> String {
        let id = care_server::ids::random_id();
        let mut tx = self.db.write().await.expect("tx");
        cases::insert(
            &mut tx,
            &VerificationRecord {
                id: id.clone(),
                serial: serial.to_owned(),
                email: "jan.kowalski@example.pl".to_owned(),
                lang: Lang::Pl,
                case: care_rules::VerificationCase {
                    status: care_rules::VerificationStatus::Accepted,
                    opened_at: accepted_at,
                    accepted_at: Some(accepted_at),
                },
                created_at: accepted_at,
                submitted_at: Some(accepted_at),
                decided_at: Some(accepted_at),
                reject_reason: None,
                reject_note: None,
                upload_id: None,
            },
        )
        .await
        .expect("insert");
        tx.commit().await.expect("commit");
        id
    }

    /// The database itself, for counting what a test must find there.
    pub async fn pool(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.database_url)
            .await
            .expect("database")
    }

    /// A video as the reviewer streams it.
    pub async fn video(&self, case: &str) -> Vec<u8> {
        let reviewer = self.staff_cookie(Role::Reviewer).await;
        let response = self
            .client
            .get(self.url(&format!("/api/staff/verifications/{case}/video")))
            .header("cookie", reviewer)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("body").to_vec()
    }

    /// Files a claim for a device; returns its id and what it said of Care Refresh.
    pub async fn file_claim(&self, serial: &str) -> (String, Value) {
        let response = self
            .post_json(
                "/api/claims",
                &json!({"serial": serial, "description": "Dropped on rocks, the lens is cracked.",
                        "customer": customer(), "shipping_address": "ul. Długa 1, 00-001 Warszawa"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        (body["id"].as_str().expect("id").to_owned(), body)
    }

    /// A staff step on a claim (`receive`, `quote`, …) as the holder of `cookie`.
    pub async fn step(
        &self,
        cookie: &str,
        claim: &str,
        step: &str,
        body: Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/staff/claims/{claim}/{step}")))
            .header("cookie", cookie)
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    /// The owner's choice on a claim.
    pub async fn choose(&self, claim: &str, option: &str) -> reqwest::Response {
        self.post_json(
            &format!("/api/claims/{claim}/choice"),
            &json!({"option": option}),
        )
        .await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool().await)
            .await
            .expect("count")
    }
}

/// The `code` of a problem answer, checking its status and media type.
pub async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], status);
    body
}

/// A real video (H.264, 16 s, its index first) made as long as `len` with a `free`
/// box of reproducible noise after it, which every reader skips; shorter than the
/// clip, its first `len` bytes (for uploads that never finish).
pub fn video_bytes(len: usize, seed: u64) -> Vec<u8> {
    const CLIP: &[u8] = include_bytes!("../fixtures/clip-16s-tiny.mp4");
    let mut bytes = CLIP.to_vec();
    if len < CLIP.len() + 8 {
        bytes.truncate(len);
        return bytes;
    }
    let free = len - CLIP.len();
    bytes.extend_from_slice(&u32::try_from(free).expect("under 4 GiB").to_be_bytes());
    bytes.extend_from_slice(b"free");
    let mut x = seed | 1;
    while bytes.len() < len {
        // xorshift64: fast, reproducible filler.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// A fixture file of `tests/fixtures`, with a `free` box of `padding` bytes inserted
/// before its index (`moov`), so that the index comes last in a large file.
pub fn fixture_with_padding(name: &str, padding: usize) -> Vec<u8> {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let at = bytes
        .windows(4)
        .position(|w| w == b"moov")
        .expect("an index")
        - 4;
    let mut padded = bytes[..at].to_vec();
    if padding > 0 {
        padded.extend_from_slice(&u32::try_from(padding + 8).expect("small").to_be_bytes());
        padded.extend_from_slice(b"free");
        padded.resize(padded.len() + padding, 0x5a);
    }
    padded.extend_from_slice(&bytes[at..]);
    padded
}

pub fn sha1_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha1::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(bytes))
}

fn metadata_header(case_id: &str) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        "verification_id {},filename {},filetype {}",
        b64(case_id),
        b64("clip.mp4"),
        b64("video/mp4")
    )
}

impl TestApp {
    /// Opens a verification case for a device (which must exist); returns its id.
    /// A verification case as its owner sees it.
    pub async fn case(&self, id: &str) -> Value {
        let response = self.get(&format!("/api/verifications/{id}")).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    pub async fn open_case(&self, serial: &str) -> String {
        let response = self
            .post_json(
                "/api/verifications",
                &json!({"serial": serial, "email": "jan.kowalski@example.pl"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    /// tus creation; returns the upload's URL.
    pub async fn create_upload(&self, case_id: &str, length: usize) -> String {
        let response = self
            .client
            .post(self.url("/api/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata_header(case_id))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        self.url(&location)
    }

    pub async fn patch_chunk(
        &self,
        upload: &str,
        offset: usize,
        chunk: &[u8],
        checksum: Option<String>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .patch(upload)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(chunk.to_vec());
        if let Some(sum) = checksum {
            request = request.header("Upload-Checksum", format!("sha1 {sum}"));
        }
        request.send().await.expect("sent")
    }

    pub async fn upload_offset(&self, upload: &str) -> Option<u64> {
        let response = self
            .client
            .head(upload)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("sent");
        (response.status() == 200).then(|| {
            assert_eq!(response.headers()["cache-control"], "no-store");
            response.headers()["upload-offset"]
                .to_str()
                .expect("ascii")
                .parse()
                .expect("number")
        })
    }

    /// Opens a case and uploads a whole small video to it.
    pub async fn submit_video(&self, serial: &str) -> String {
        let case = self.open_case(serial).await;
        let video = video_bytes(64 * 1024, 7);
        let upload = self.create_upload(&case, video.len()).await;
        let response = self.patch_chunk(&upload, 0, &video, None).await;
        assert_eq!(response.status(), 204);
        case
    }

    /// A staff account with this role, signed in; returns its cookie.
    pub async fn staff_cookie(&self, role: Role) -> String {
        let email = format!("{}@dji-ars.example", role.as_str());
        let password = "a long staff password";
        // Adding twice is refused; the account may exist from an earlier call.
        let _ = operator::add_staff(&self.db, &email, role, password, Timestamp::now()).await;
        let response = self
            .post_json(
                "/api/staff/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .to_owned();
        set_cookie.split(';').next().expect("cookie").to_owned()
    }

    /// Accepts (or rejects) a case as a reviewer.
    pub async fn decide(&self, cookie: &str, case: &str, decision: Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/staff/verifications/{case}/decision")))
            .header("cookie", cookie)
            .json(&decision)
            .send()
            .await
            .expect("sent")
    }
}

/// The real `care-server` binary in its own process, for tests that kill it or watch
/// its memory.
pub struct ServerProcess {
    child: std::process::Child,
    pub url: String,
}

impl ServerProcess {
    /// The binary on `data_dir`, with the tests' backend (`database`, `storage`).
    pub fn start(data_dir: &std::path::Path, database: &str, storage: &str) -> ServerProcess {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_care-server"))
            .arg("serve")
            .env("CARE_ADDR", "127.0.0.1:0")
            .env("CARE_DATA_DIR", data_dir)
            .env("DATABASE_URL", database)
            .env("CARE_STORAGE", storage)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.split("listening on ").nth(1).map(str::to_owned))
            .expect("the server printed its address");
        std::thread::spawn(move || lines.for_each(drop));
        ServerProcess { child, url }
    }

    /// SIGKILL: no shutdown, no flushing.
    pub fn kill(&mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }

    /// Resident memory in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
