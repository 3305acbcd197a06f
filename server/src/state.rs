//! What every request handler shares: the database, the video store, the clock, the
//! key codes are hashed with, the outbox's wake-up, the limits and the portal's links.

use crate::activation::codes::CodeKey;
use crate::clock::Clock;
use crate::db::Db;
use crate::rate_limit::RateLimits;
use crate::verification::uploads::Videos;
use std::sync::Arc;
use tokio::sync::Notify;

/// The state axum hands every handler, behind one `Arc`: axum clones it for each
/// request, and a clone is then one counter increment instead of a dozen fields (the
/// strings among them allocated anew: a tenth of a coverage lookup's time).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: Db,
    pub videos: Videos,
    pub clock: Clock,
    pub code_key: CodeKey,
    /// Wakes the outbox worker when a transaction has queued an email.
    pub outbox: Arc<Notify>,
    pub limits: RateLimits,
    pub links: Links,
    /// Mark session cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Where devices are sent and transfers paid.
    pub service: crate::claims::ServiceDesk,
    /// Card and BLIK through Stripe, when configured.
    pub payments: Option<Arc<crate::payments::Payments>>,
    /// The records behind coverage lookups, between writes.
    pub coverage: crate::coverage::cache::CoverageCache,
}

/// The portal's addresses as customers reach them, for links in emails.
#[derive(Clone)]
pub struct Links {
    public_url: String,
}

impl Links {
    pub fn new(public_url: &str) -> Links {
        Links {
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The owner's link to a verification case.
    pub fn case(&self, id: &str) -> String {
        format!("{}/verification/{id}", self.public_url)
    }

    /// The owner's link to a claim.
    pub fn claim(&self, id: &str) -> String {
        format!("{}/claims/{id}", self.public_url)
    }

    /// The public coverage page of a serial.
    pub fn coverage(&self, serial: &str) -> String {
        format!("{}/coverage/{serial}", self.public_url)
    }

    /// The owner's sign-in link: the token in the fragment, which browsers never send
    /// to a server, so it reaches no access log or proxy.
    pub fn owner_sign_in(&self, token: &str) -> String {
        format!("{}/me#token={token}", self.public_url)
    }
}
