//! Builds the application and binds its listener, so that tests can start a real
//! server on port 0 and learn its address.

use crate::clock::Clock;
use crate::codes::CodeKey;
use crate::config::Settings;
use crate::email::{self, Mailer};
use crate::state::{AppState, RateLimits, UploadLocks};
use crate::storage::{self, Store};
use crate::{operator, reminders, retention, routes, uploads, web};
use anyhow::Context;
use axum::Router;
use lettre::message::Mailbox;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
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
        let store = storage::open(&data.database_url()).await?;
        let code_key = CodeKey::load(data.code_key.as_deref(), &data.data_dir.join("code.key"))?;
        let clock = if settings.test_clock {
            Clock::test()
        } else {
            Clock::System
        };
        if !settings.no_demo {
            operator::seed_demo_if_empty(store.as_ref(), &code_key, clock.now()).await?;
        }
        let demo = operator::demo_summary(store.as_ref(), &code_key).await?;
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
            store,
            uploads: uploads::open(&data.storage_url())?,
            clock,
            code_key,
            outbox: Arc::default(),
            limits: RateLimits::default(),
            writing: UploadLocks::default(),
            public_url,
            secure_cookies: settings.secure_cookies,
        };
        routes::uploads::recover(&state).await?;
        let router = Router::new()
            .nest("/api", routes::api(state.clone()))
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

    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    pub fn uploads(&self) -> Arc<dyn crate::uploads::UploadStorage> {
        self.state.uploads.clone()
    }

    pub fn code_key(&self) -> CodeKey {
        self.state.code_key.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests under way. The
    /// outbox worker runs alongside.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let worker = tokio::spawn(email::run_outbox(
            self.state.store.clone(),
            self.mailer,
            self.mail_from,
            self.state.outbox.clone(),
        ));
        let sweeper = tokio::spawn(retention::run(self.state.clone()));
        let reminding = tokio::spawn(reminders::run(self.state.clone()));
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        worker.abort();
        sweeper.abort();
        reminding.abort();
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
