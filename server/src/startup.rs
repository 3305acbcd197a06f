//! Builds the application and binds its listener, so that tests can start a real server
//! on port 0 and learn its address.

use crate::activation::codes::CodeKey;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::email::{outbox, transport::Mailer};
use crate::operator::demo;
use crate::state::{AppState, Links};
use crate::verification::uploads::{self, Videos, store::VideoStore};
use crate::{api, http, jobs, web};
use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use lettre::message::Mailbox;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower::ServiceExt as _;
use tower_http::trace::TraceLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    mailer: Mailer,
    mail_from: Mailbox,
    demo: Option<String>,
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Application> {
        let data = &settings.data;
        let db = Db::open(&data.database_url()).await?;
        let code_key = CodeKey::load(data.code_key.as_deref(), &data.data_dir.join("code.key"))?;
        let clock = if settings.test_clock {
            Clock::test()
        } else {
            Clock::System
        };
        if !settings.no_demo {
            demo::seed_if_empty(&db, &code_key, clock.now()).await?;
        }
        let demo = demo::summary(&db, &code_key).await?;
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
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", listener.local_addr()?),
        };
        let state = AppState {
            db,
            videos: Videos::new(VideoStore::open(&data.storage_url())?),
            clock,
            code_key,
            outbox: Arc::default(),
            limits: Default::default(),
            links: Links::new(&public_url),
            secure_cookies: settings.secure_cookies,
        };
        uploads::recover(&state).await?;
        let router = api::router(state.clone())
            .merge(web::app(&settings.web_dir))
            .layer(settings.client_ip.clone().into_extension())
            .layer(TraceLayer::new_for_http());
        Ok(Application {
            listener,
            router,
            state,
            mailer,
            mail_from,
            demo,
        })
    }

    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The demo devices, codes and logins to print, when the database has them.
    pub fn demo_summary(&self) -> Option<&str> {
        self.demo.as_deref()
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

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests under way. The
    /// outbox worker and the jobs run alongside.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let worker = tokio::spawn(outbox::run(
            self.state.db.clone(),
            self.mailer,
            self.mail_from,
            self.state.outbox.clone(),
        ));
        let jobs = tokio::spawn(jobs::run(self.state.clone()));
        // Trailing slashes are trimmed before routing (a layer on the router would run
        // after a route was chosen).
        let app = self
            .router
            .map_request(|request: Request| http::trim_trailing_slash(request));
        let served = axum::serve(
            self.listener,
            axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        worker.abort();
        jobs.abort();
        Ok(served?)
    }
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
