//! Builds the application and binds its listener, so that tests can start a real server
//! on port 0 and learn its address.

use crate::activation::codes::CodeKey;
use crate::claims::ServiceDesk;
use crate::clock::Clock;
use crate::config::ConnectionLimits;
use crate::config::Settings;
use crate::db::Db;
use crate::email::{outbox, transport::Mailer};
use crate::http::connections::PerClient;
use crate::http::security::{self, SecurityHeaders};
use crate::operator::demo;
use crate::state::{AppState, Links, Shared};
use crate::verification::uploads::{self, Videos, store::VideoStore};
use crate::{api, http, jobs, web};
use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum_client_ip::ClientIpSource;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use lettre::message::Mailbox;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    mailer: Mailer,
    mail_from: Mailbox,
    demo: Option<String>,
    limits: ConnectionLimits,
    /// Connections each client holds, when clients connect directly.
    per_client: Option<PerClient>,
    metrics: Option<TcpListener>,
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Application> {
        // The TLS of outgoing calls (Stripe) uses ring; a second build in the same
        // process (the tests) finds it installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let data = &settings.data;
        let https = settings
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"));
        if settings.test_clock && https {
            bail!("CARE_TEST_CLOCK is for tests: it is refused with an https CARE_PUBLIC_URL");
        }
        private_data_dir(&data.data_dir)?;
        let db = Db::open(&data.database_url()).await?;
        // Other instances' writes retire what the coverage cache keeps.
        db.watch_other_writers();
        let code_key = CodeKey::load(data.code_key.as_deref(), &data.data_dir.join("code.key"))?;
        let clock = if settings.test_clock {
            Clock::test()
        } else {
            Clock::System
        };
        let demo = if settings.demo {
            demo::seed_if_empty(&db, &code_key, clock.now()).await?;
            demo::summary(&db, &code_key).await?
        } else {
            None
        };
        let mailer = Mailer::new(settings.smtp_url.as_deref(), &data.outbox_dir())?;
        let mail_from: Mailbox = settings.mail_from.parse().context("CARE_MAIL_FROM")?;
        if !settings.web_dir.join("index.html").exists() {
            tracing::warn!(
                web_dir = %settings.web_dir.display(),
                "the browser app is not built there; only the API is served"
            );
        }
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("listening on {}", settings.addr))?;
        let metrics = match settings.metrics_addr {
            Some(addr) => {
                crate::metrics::handle();
                Some(
                    TcpListener::bind(addr)
                        .await
                        .with_context(|| format!("listening for metrics on {addr}"))?,
                )
            }
            None => None,
        };
        let payments = settings.stripe.payments()?.map(Arc::new);
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", listener.local_addr()?),
        };
        let state = AppState::new(Shared {
            db,
            videos: Videos::new(
                VideoStore::open(&data.storage_url())?,
                settings.storage_limits,
            ),
            clock,
            code_key,
            outbox: Arc::default(),
            limits: Default::default(),
            links: Links::new(&public_url),
            secure_cookies: settings.secure_cookies || https,
            service: ServiceDesk {
                address: settings.service_address.clone(),
                bank_account: settings.bank_account.clone(),
                online_payments: payments.is_some(),
            },
            payments: payments.clone(),
            coverage: Default::default(),
        });
        uploads::recover(&state).await?;
        let body_timeout = Duration::from_secs(settings.connections.body_timeout_secs);
        let router = api::router(state.clone())
            .merge(web::app(&settings.web_dir))
            .layer(settings.client_ip.clone().into_extension())
            // A body that stops coming for this long ends the request (the gap between
            // two pieces, not the whole body: a slow phone's upload goes on).
            .layer(RequestBodyTimeoutLayer::new(body_timeout))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(SecurityHeaders::new(
                    &settings.web_dir,
                    https,
                    &payments.as_deref().map(|p| p.origins()).unwrap_or_default(),
                )),
                security::add,
            ))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|request: &Request<Body>| http::request_span(request))
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            // Every request gets an id (or keeps the load balancer's), on its log lines
            // and in its answer's `x-request-id`.
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
        Ok(Application {
            listener,
            router,
            state,
            mailer,
            mail_from,
            demo,
            limits: settings.connections.clone(),
            per_client: matches!(settings.client_ip, ClientIpSource::ConnectInfo)
                .then(|| PerClient::new(settings.connections.max_connections_per_client)),
            metrics,
        })
    }

    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Where the metrics are served, when they are.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The demo devices, codes and logins to print, when the database has them.
    pub fn demo_summary(&self) -> Option<&str> {
        self.demo.as_deref()
    }

    /// What the handlers share: for tests that run a job themselves.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    pub fn db(&self) -> Db {
        self.state.db.clone()
    }

    pub fn videos(&self) -> Arc<VideoStore> {
        self.state.videos.store.clone()
    }

    pub fn code_key(&self) -> CodeKey {
        self.state.code_key.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then lets the requests under way finish for at
    /// most the shutdown grace. The outbox worker and the jobs run alongside.
    ///
    /// Each connection is served by hyper with a timer: a client that does not send its
    /// headers within the header timeout (or an idle keep-alive connection) is closed,
    /// and no more than `max_connections` are served at once (`axum::serve` has neither),
    /// at most `max_connections_per_client` of them from one client.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let worker = tokio::spawn(outbox::run(
            self.state.db.clone(),
            self.mailer,
            self.mail_from,
            self.state.outbox.clone(),
        ));
        let jobs = tokio::spawn(jobs::run(self.state.clone()));
        let metrics = self.metrics.map(|listener| {
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, crate::metrics::router()).await {
                    tracing::error!(error = %e, "the metrics address stopped");
                }
            })
        });
        let limits = self.limits;
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let graceful = GracefulShutdown::new();
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(limits.header_timeout_secs));
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot?,
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, say: wait a moment rather than spin.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let held = match &self.per_client {
                Some(per_client) => match per_client.take(peer.ip()) {
                    Some(held) => Some(held),
                    None => {
                        metrics::counter!("care_connections_refused_total").increment(1);
                        tracing::debug!(%peer, "too many connections from one client; closed");
                        continue; // drops the stream: the connection closes
                    }
                },
                None => None,
            };
            // Trailing slashes are trimmed before routing (a layer on the router would
            // run after a route was chosen); the peer is the client's address.
            let service = self
                .router
                .clone()
                .map_request(move |request: Request<Incoming>| {
                    let mut request = http::trim_trailing_slash(request.map(Body::new));
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
            let connection =
                http1.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, %peer, "connection ended");
                }
                drop((slot, held));
            });
        }
        drop(self.listener);
        let grace = Duration::from_secs(limits.shutdown_grace_secs);
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("requests still under way after the shutdown grace were cut");
        }
        worker.abort();
        jobs.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        Ok(())
    }
}

/// The data folder, readable by this user only (its files hold personal data and the
/// code key); files created from here on are private too.
fn private_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", dir.display()))?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
