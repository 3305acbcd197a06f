//! Configuration, from flags or the environment, with embedded defaults that run the
//! portal on one machine without any set-up.

use axum_client_ip::ClientIpSource;
use clap::Args;
use clap::builder::BoolishValueParser;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "CARE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Folder of the built browser app (Trunk's output).
    #[arg(long, env = "CARE_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,

    #[command(flatten)]
    pub data: DataSettings,

    /// Send email through this SMTP server (`smtp://…` or `smtps://…`) instead of
    /// writing `.eml` files under `<data dir>/outbox/`.
    #[arg(long, env = "CARE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The portal's address as customers reach it, for links in emails; defaults to
    /// `http://<the address listened on>`.
    #[arg(long, env = "CARE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// `1`: mark session cookies `Secure` (behind TLS). They are whenever
    /// `CARE_PUBLIC_URL` is https.
    #[arg(long, env = "CARE_SECURE_COOKIES", value_parser = BoolishValueParser::new(),
          default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub secure_cookies: bool,

    /// Where owners send their devices, as one line (shown on claims and in email).
    #[arg(
        long,
        env = "CARE_SERVICE_ADDRESS",
        default_value = crate::claims::DEFAULT_SERVICE_ADDRESS
    )]
    pub service_address: String,

    /// The bank account claims are paid to by transfer.
    #[arg(
        long,
        env = "CARE_BANK_ACCOUNT",
        default_value = crate::claims::DEFAULT_BANK_ACCOUNT
    )]
    pub bank_account: String,

    /// The sender of every email.
    #[arg(
        long,
        env = "CARE_MAIL_FROM",
        default_value = "Care Refresh <no-reply@care-refresh.example>"
    )]
    pub mail_from: String,

    /// `1`/`true`: enable `GET/POST /api/test-clock`: the clock then stands still and moves only
    /// when advanced. For end-to-end tests of deadlines, never in production (refused
    /// with an https `CARE_PUBLIC_URL`).
    #[arg(long, env = "CARE_TEST_CLOCK", value_parser = BoolishValueParser::new(),
          default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub test_clock: bool,

    /// Where the client's address comes from, for rate limits: `ConnectInfo` (the
    /// connection's peer) when clients connect directly; behind a load balancer the
    /// header it sets, e.g. `RightmostXForwardedFor` or `XRealIp` (axum-client-ip's
    /// `ClientIpSource` names). Never a header the client could set itself.
    #[arg(long, env = "CARE_CLIENT_IP", default_value = "ConnectInfo")]
    pub client_ip: ClientIpSource,

    /// Seed demo devices, codes and staff logins into an empty database, and print
    /// them (`cargo xtask run` asks for it). Never on a real deployment: the demo
    /// passwords are printed.
    #[arg(long, global = true, env = "CARE_DEMO", value_parser = BoolishValueParser::new(),
          default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub demo: bool,

    #[command(flatten)]
    pub connections: ConnectionLimits,

    #[command(flatten)]
    pub storage_limits: StorageLimits,

    #[command(flatten)]
    pub stripe: crate::payments::StripeSettings,

    /// Serve Prometheus metrics at `http://<this address>/metrics` (keep it private).
    #[arg(long, env = "CARE_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// `text` for a person, `json` (one object per line) for a log collector.
    #[arg(long, env = "CARE_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// How much video the portal keeps at most: refused with 507 `storage_full` above it.
#[derive(Debug, Clone, Copy, Args)]
pub struct StorageLimits {
    /// Bytes of video kept at most (open uploads and videos awaiting review or
    /// retention); unset: no quota beyond the disk.
    #[arg(long, env = "CARE_STORAGE_QUOTA")]
    pub quota_bytes: Option<u64>,

    /// Bytes the local disk must keep free after a new upload's full length.
    #[arg(long, env = "CARE_STORAGE_RESERVE", default_value_t = 1 << 30)]
    pub reserve_bytes: u64,
}

impl Default for StorageLimits {
    fn default() -> Self {
        StorageLimits {
            quota_bytes: None,
            reserve_bytes: 1 << 30,
        }
    }
}

/// How long a client may take and how many may be connected: defaults that a phone on
/// a bad network passes and a slowloris does not.
#[derive(Debug, Clone, Args)]
pub struct ConnectionLimits {
    /// Seconds a client has to send a request's headers; also how long an idle
    /// keep-alive connection stays open.
    #[arg(long, env = "CARE_HEADER_TIMEOUT", default_value_t = 20)]
    pub header_timeout_secs: u64,

    /// Seconds a request body may pause between two pieces (an upload on a slow phone
    /// goes on as long as bytes keep coming).
    #[arg(long, env = "CARE_BODY_TIMEOUT", default_value_t = 60)]
    pub body_timeout_secs: u64,

    /// Connections served at once; further ones wait to be accepted.
    #[arg(long, env = "CARE_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Connections one client (an IPv4 address or an IPv6 /64) may hold at once; more
    /// are closed at once. Not applied behind a load balancer (`CARE_CLIENT_IP` other
    /// than `ConnectInfo`), where every connection comes from the balancer.
    #[arg(long, env = "CARE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 64)]
    pub max_connections_per_client: usize,

    /// Seconds the server lets requests under way finish after Ctrl-C or SIGTERM.
    #[arg(long, env = "CARE_SHUTDOWN_GRACE", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout_secs: 20,
            body_timeout_secs: 60,
            max_connections: 1024,
            max_connections_per_client: 64,
            shutdown_grace_secs: 30,
        }
    }
}

impl Settings {
    /// The embedded defaults with every file under `root`, on a free loopback port and
    /// without demo data: for tests and benchmarks.
    pub fn under(root: &Path) -> Settings {
        Settings {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            web_dir: root.join("dist"),
            data: DataSettings {
                data_dir: root.join("data"),
                database_url: None,
                storage: None,
                code_key: None,
            },
            public_url: None,
            secure_cookies: false,
            smtp_url: None,
            mail_from: "Care Refresh <no-reply@care-refresh.example>".to_owned(),
            service_address: crate::claims::DEFAULT_SERVICE_ADDRESS.to_owned(),
            bank_account: crate::claims::DEFAULT_BANK_ACCOUNT.to_owned(),
            test_clock: false,
            client_ip: ClientIpSource::ConnectInfo,
            demo: false,
            connections: ConnectionLimits::default(),
            storage_limits: StorageLimits::default(),
            stripe: crate::payments::StripeSettings::default(),
            metrics_addr: None,
            log_format: "text".to_owned(),
        }
    }
}

/// Where state lives; shared by `serve` and the operator commands.
#[derive(Debug, Clone, Args)]
pub struct DataSettings {
    /// Folder of the embedded defaults: the database, uploads, outbox and code key.
    #[arg(long, env = "CARE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// `sqlite://PATH` or `postgres://…`; defaults to `<data dir>/care.db`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where videos are kept: `file://PATH` or `s3://BUCKET/PREFIX` (with the usual
    /// `AWS_*` settings); defaults to `<data dir>/uploads`.
    #[arg(long, env = "CARE_STORAGE")]
    pub storage: Option<String>,

    /// The key codes are hashed with, as 64 hex digits. Defaults to the contents of
    /// `<data dir>/code.key`, created on first start. Keep it out of the database's
    /// backups: without it a leaked database gives away no code.
    #[arg(long, env = "CARE_CODE_KEY", hide_env_values = true)]
    pub code_key: Option<String>,
}

impl DataSettings {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("care.db").display()))
    }

    pub fn storage_url(&self) -> String {
        self.storage
            .clone()
            .unwrap_or_else(|| format!("file://{}", self.data_dir.join("uploads").display()))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}
