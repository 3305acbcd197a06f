//! The few calls of Stripe's API the portal makes, over reqwest. Written by hand
//! because async-stripe is either built on an old hyper (0.41) or generates about 380k
//! lines whose strict types refuse the answers of localstripe, the stand-in the tests
//! run against (no `amount_received`, `payment_method_types`, ...): here only the
//! fields the portal reads are parsed.

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// A PaymentIntent as far as the portal reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Intent {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub client_secret: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    pub last_payment_error: Option<PaymentError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentError {
    pub code: Option<String>,
    pub decline_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: PaymentErrorBody,
}

#[derive(Debug, Deserialize)]
struct PaymentErrorBody {
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Token {
    card: Option<Card>,
}

#[derive(Debug, Deserialize)]
struct Card {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Created {
    id: String,
}

/// What a call can end in besides success.
#[derive(Debug)]
pub enum StripeError {
    /// The provider refused the request (a declined card on confirm, a bad token):
    /// its error code and decline code.
    Refused {
        status: u16,
        code: Option<String>,
        decline_code: Option<String>,
        message: String,
    },
    /// No answer, or one the portal cannot read: try again later.
    Unavailable(anyhow::Error),
}

impl std::fmt::Display for StripeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StripeError::Refused {
                status, message, ..
            } => write!(f, "stripe refused ({status}): {message}"),
            StripeError::Unavailable(e) => write!(f, "stripe unavailable: {e:#}"),
        }
    }
}

impl std::error::Error for StripeError {}

/// Stripe's API at `api_url` with the account's secret key.
#[derive(Clone)]
pub struct Stripe {
    api_url: String,
    secret_key: String,
    http: reqwest::Client,
}

impl Stripe {
    pub fn new(api_url: &str, secret_key: &str) -> Result<Stripe> {
        Ok(Stripe {
            api_url: api_url.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            http: reqwest::Client::builder()
                // A payment call that hangs must not hold an owner's request forever.
                .timeout(Duration::from_secs(20))
                .connect_timeout(Duration::from_secs(5))
                .build()
                .context("the HTTP client for Stripe")?,
        })
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.api_url))
            .basic_auth(&self.secret_key, Some(""))
            .form(form);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await).await
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, StripeError> {
        let request = self
            .http
            .get(format!("{}{path}", self.api_url))
            .basic_auth(&self.secret_key, Some(""));
        answer(request.send().await).await
    }

    /// A PaymentIntent of `amount` grosze for the claim; the key makes a retry return
    /// the same intent instead of a second one.
    pub async fn create_intent(
        &self,
        amount: i64,
        currency: &str,
        claim_id: &str,
        methods: &[&str],
        idempotency_key: &str,
    ) -> Result<Intent, StripeError> {
        let mut form = vec![
            ("amount", amount.to_string()),
            ("currency", currency.to_owned()),
            ("metadata[claim_id]", claim_id.to_owned()),
        ];
        form.extend(
            methods
                .iter()
                .map(|m| ("payment_method_types[]", (*m).to_owned())),
        );
        self.post("/v1/payment_intents", &form, Some(idempotency_key))
            .await
    }

    pub async fn retrieve_intent(&self, id: &str) -> Result<Intent, StripeError> {
        self.get(&format!("/v1/payment_intents/{id}")).await
    }

    pub async fn cancel_intent(&self, id: &str) -> Result<Intent, StripeError> {
        self.post(&format!("/v1/payment_intents/{id}/cancel"), &[], None)
            .await
    }

    /// A payment method for a card token made by Stripe.js in the browser. Stripe makes
    /// a PaymentMethod of it; a stand-in that cannot (localstripe) gets the token's
    /// card, which the PaymentIntents API takes as a payment method as well.
    pub async fn card_from_token(&self, token: &str) -> Result<String, StripeError> {
        let made: Result<Created, _> = self
            .post(
                "/v1/payment_methods",
                &[
                    ("type", "card".to_owned()),
                    ("card[token]", token.to_owned()),
                ],
                None,
            )
            .await;
        match made {
            Ok(method) => Ok(method.id),
            Err(StripeError::Refused { status: 400, .. }) => {
                let token: Token = self.get(&format!("/v1/tokens/{token}")).await?;
                token
                    .card
                    .map(|c| c.id)
                    .ok_or_else(|| StripeError::Unavailable(anyhow!("a token without a card")))
            }
            Err(e) => Err(e),
        }
    }

    /// Confirms the intent with a card payment method. The method is set first and
    /// confirmed after, the two calls both Stripe and its stand-in take.
    pub async fn confirm_with(&self, id: &str, method: &str) -> Result<Intent, StripeError> {
        let _: Intent = self
            .post(
                &format!("/v1/payment_intents/{id}"),
                &[("payment_method", method.to_owned())],
                None,
            )
            .await?;
        self.post(&format!("/v1/payment_intents/{id}/confirm"), &[], None)
            .await
    }

    /// Confirms the intent with a BLIK code; the bank's app then asks the owner.
    pub async fn confirm_blik(&self, id: &str, code: &str) -> Result<Intent, StripeError> {
        self.post(
            &format!("/v1/payment_intents/{id}/confirm"),
            &[
                ("payment_method_data[type]", "blik".to_owned()),
                ("payment_method_options[blik][code]", code.to_owned()),
            ],
            None,
        )
        .await
    }

    /// Refunds `amount` of the intent's payment; the key makes a retry refund nothing
    /// more.
    pub async fn refund(
        &self,
        intent: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<String, StripeError> {
        let refund: Created = self
            .post(
                "/v1/refunds",
                &[
                    ("payment_intent", intent.to_owned()),
                    ("amount", amount.to_string()),
                ],
                Some(idempotency_key),
            )
            .await?;
        Ok(refund.id)
    }
}

async fn answer<T: for<'de> Deserialize<'de>>(
    sent: reqwest::Result<reqwest::Response>,
) -> Result<T, StripeError> {
    let response = sent.map_err(|e| StripeError::Unavailable(e.into()))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| StripeError::Unavailable(e.into()))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|e| StripeError::Unavailable(anyhow!(e).context("an answer of Stripe")));
    }
    if status.is_client_error() {
        let error = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .map(|b| b.error);
        return Err(StripeError::Refused {
            status: status.as_u16(),
            code: error.as_ref().and_then(|e| e.code.clone()),
            decline_code: error.as_ref().and_then(|e| e.decline_code.clone()),
            message: error
                .and_then(|e| e.message)
                .unwrap_or_else(|| status.to_string()),
        });
    }
    Err(StripeError::Unavailable(anyhow!(
        "Stripe answered {status}"
    )))
}
