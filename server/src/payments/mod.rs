//! Paying a claim online, through Stripe PaymentIntents: the owner starts the claim's
//! one payment and confirms it with a card or BLIK ([`owner`]); Stripe's signed
//! webhook ([`webhook`]), the answer to a confirmation and a reconciliation that asks
//! about intents left open all settle it the same way ([`settle`]). Stripe is never
//! called inside a database transaction: the attempt is recorded and committed first,
//! and the call carries an idempotency key of that attempt. Without the `CARE_STRIPE_*`
//! settings the portal takes transfers only, as staff record them.

pub mod owner;
pub mod records;
pub mod settle;
pub mod signature;
pub mod stripe;
pub mod webhook;

use crate::state::AppState;
use anyhow::{Result, bail};
use clap::Args;
use records::AttemptStatus;
use stripe::Stripe;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The provider's name in the API, the database and the audit trail.
pub const PROVIDER: &str = "stripe";
/// The ways an owner can pay online.
pub const METHODS: [&str; 2] = ["card", "blik"];
pub const CURRENCY: &str = "pln";

/// `CARE_STRIPE_*`: all three keys, or none (transfers only).
#[derive(Debug, Clone, Args)]
pub struct StripeSettings {
    /// The account's secret key (`sk_…`); with the two below it turns online payment on.
    #[arg(long, env = "CARE_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,

    /// The publishable key (`pk_…`) the browser's Stripe.js uses.
    #[arg(long, env = "CARE_STRIPE_PUBLISHABLE_KEY")]
    pub stripe_publishable_key: Option<String>,

    /// The webhook endpoint's signing secret (`whsec_…`).
    #[arg(long, env = "CARE_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,

    /// Stripe's API (another address for a stand-in such as localstripe).
    #[arg(
        long,
        env = "CARE_STRIPE_API_URL",
        default_value = "https://api.stripe.com"
    )]
    pub stripe_api_url: String,

    /// Stripe.js, loaded by the claim page only when the owner chooses to pay.
    #[arg(
        long,
        env = "CARE_STRIPE_JS_URL",
        default_value = "https://js.stripe.com/v3/"
    )]
    pub stripe_js_url: String,
}

impl Default for StripeSettings {
    fn default() -> Self {
        StripeSettings {
            stripe_secret_key: None,
            stripe_publishable_key: None,
            stripe_webhook_secret: None,
            stripe_api_url: "https://api.stripe.com".to_owned(),
            stripe_js_url: "https://js.stripe.com/v3/".to_owned(),
        }
    }
}

impl StripeSettings {
    /// Online payment, if configured; half a configuration is an error at start.
    pub fn payments(&self) -> Result<Option<Payments>> {
        match (
            &self.stripe_secret_key,
            &self.stripe_publishable_key,
            &self.stripe_webhook_secret,
        ) {
            (None, None, None) => Ok(None),
            (Some(secret), Some(publishable), Some(webhook)) => Ok(Some(Payments {
                stripe: Stripe::new(&self.stripe_api_url, secret)?,
                publishable_key: publishable.clone(),
                webhook_secret: webhook.clone(),
                js_url: self.stripe_js_url.clone(),
                api_url: self.stripe_api_url.clone(),
            })),
            _ => bail!(
                "online payment needs CARE_STRIPE_SECRET_KEY, CARE_STRIPE_PUBLISHABLE_KEY and \
                 CARE_STRIPE_WEBHOOK_SECRET together"
            ),
        }
    }
}

/// Online payment as configured.
pub struct Payments {
    pub stripe: Stripe,
    pub publishable_key: String,
    pub webhook_secret: String,
    pub js_url: String,
    pub api_url: String,
}

impl Payments {
    /// The origins the browser must be allowed to load from and talk to (the CSP).
    pub fn origins(&self) -> Vec<String> {
        [&self.js_url, &self.api_url]
            .into_iter()
            .filter_map(|url| origin(url))
            .collect()
    }
}

/// `https://js.stripe.com` of `https://js.stripe.com/v3/`.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(owner::start))
        .routes(routes!(owner::confirm))
        .routes(routes!(webhook::receive))
}

/// The claim's attempt whose intent is still open, if any.
async fn open_attempt(state: &AppState, claim_id: &str) -> Option<records::Attempt> {
    let latest = async {
        let mut tx = state.db.read().await?;
        records::latest(&mut tx, claim_id).await
    };
    latest
        .await
        .ok()
        .flatten()
        .filter(|a| a.status == AttemptStatus::Open)
}

/// Cancels the claim's open intent (a transfer was recorded): a claim never keeps a
/// live intent it no longer owes. A failure is logged; a late success is refunded.
pub async fn cancel_open(state: &AppState, claim_id: &str) {
    let Some(payments) = state.payments.as_deref() else {
        return;
    };
    let Some(attempt) = open_attempt(state, claim_id).await else {
        return;
    };
    let Some(intent) = attempt.intent_id else {
        return;
    };
    match payments.stripe.cancel_intent(&intent).await {
        Ok(_) => {
            let closed = async {
                let mut tx = state.db.write().await?;
                records::set_status(
                    &mut tx,
                    &intent,
                    &[AttemptStatus::Open],
                    AttemptStatus::Canceled,
                    state.clock.now().as_second(),
                )
                .await?;
                tx.commit().await
            };
            if let Err(e) = closed.await {
                tracing::error!(claim = %claim_id, error = %e, "recording a cancelled intent");
            }
        }
        Err(e) => {
            tracing::warn!(claim = %claim_id, %intent, error = %e, "cancelling an open intent")
        }
    }
}

/// Settles every intent left open for more than a minute, as the provider sees it.
pub async fn reconcile_all(state: &AppState) -> Result<()> {
    let Some(payments) = state.payments.as_deref() else {
        return Ok(());
    };
    let before = state.clock.now().as_second() - 60;
    let attempts = {
        let mut tx = state.db.read().await?;
        records::unsettled(&mut tx, before, 100).await?
    };
    for attempt in &attempts {
        if let Err(e) = settle::reconcile(state, payments, attempt).await {
            tracing::warn!(claim = %attempt.claim_id, error = %e, "reconciling a payment");
        }
    }
    Ok(())
}

/// Before the owner's claim page is answered: an open intent the webhook has not
/// settled (lost, or late) is asked about, so a paid claim reads paid.
pub async fn reconcile_claim(state: &AppState, claim_id: &str) {
    let Some(payments) = state.payments.as_deref() else {
        return;
    };
    if let Some(attempt) = open_attempt(state, claim_id).await
        && let Err(e) = settle::reconcile(state, payments, &attempt).await
    {
        tracing::warn!(claim = %claim_id, error = %e, "reconciling a payment");
    }
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn the_origin_of_a_url() {
        assert_eq!(
            origin("https://js.stripe.com/v3/").as_deref(),
            Some("https://js.stripe.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:8420/js.stripe.com/v3/").as_deref(),
            Some("http://127.0.0.1:8420")
        );
        assert_eq!(origin("nonsense"), None);
    }
}
