//! The owner pays a claim on its page: `POST /api/claims/{id}/payment` gives the claim's
//! one open intent (made on the first call), `POST /api/claims/{id}/payment/confirm`
//! pays it with a card token or a BLIK code.

use super::records::{self, Attempt, AttemptStatus};
use super::stripe::{Intent, StripeError};
use super::{CURRENCY, METHODS, PROVIDER, Payments, settle};
use crate::claims::paid;
use crate::claims::records as claims;
use crate::http::extract::ApiJson;
use crate::http::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{OnlinePayment, PayWith, PaymentFailure, PaymentProgress, PaymentState};
use care_rules::{ClaimStatus, Refusal};

fn configured(state: &AppState) -> Result<&Payments, ApiError> {
    state.payments.as_deref().ok_or_else(|| {
        ApiError::detail(
            Refusal::OnlinePaymentUnavailable,
            "no payment provider is configured; pay by transfer",
        )
    })
}

fn unavailable(e: StripeError) -> ApiError {
    tracing::warn!(error = %e, "the payment provider");
    ApiError::detail(
        Refusal::Unavailable,
        "the payment provider does not answer; try again in a moment",
    )
}

fn awaiting_payment(claim: &claims::ClaimRecord) -> Result<(), ApiError> {
    if claim.status == ClaimStatus::AwaitingPayment {
        Ok(())
    } else {
        Err(ApiError::detail(
            Refusal::InvalidState,
            format!("the claim is {}; nothing is due", claim.status),
        ))
    }
}

fn answer(payments: &Payments, attempt: &Attempt) -> Result<OnlinePayment, ApiError> {
    let (Some(intent), Some(secret)) = (&attempt.intent_id, &attempt.client_secret) else {
        return Err(anyhow::anyhow!("an open payment without its intent").into());
    };
    Ok(OnlinePayment {
        provider: PROVIDER.to_owned(),
        payment_intent: intent.clone(),
        client_secret: secret.clone(),
        publishable_key: payments.publishable_key.clone(),
        js_url: payments.js_url.clone(),
        amount_grosze: attempt.amount,
        currency: attempt.currency.clone(),
        methods: METHODS.iter().map(|m| (*m).to_owned()).collect(),
    })
}

/// The claim's payment with the provider: made once, then the same open intent (after
/// a failed attempt too), so a claim never has two live intents.
#[utoipa::path(post, path = "/api/claims/{id}/payment", tag = "claims",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = OnlinePayment),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_state` (nothing is due), `online_payment_unavailable`"),
        (status = 503, description = "`unavailable`: the payment provider does not answer"),
    ))]
pub(super) async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OnlinePayment>, ApiError> {
    let payments = configured(&state)?;
    let now = state.clock.now().as_second();
    // The attempt is recorded and committed before the provider is called.
    let attempt = {
        let mut tx = state.db.write().await?;
        let claim = claims::find(&mut tx, &id).await?.ok_or(Refusal::NotFound)?;
        awaiting_payment(&claim)?;
        let amount = paid::amount_due(&mut tx, &claim)
            .await?
            .ok_or_else(|| anyhow::anyhow!("claim {id} awaits payment of no amount"))?;
        let latest = records::latest(&mut tx, &id).await?;
        let attempt = match latest {
            Some(open) if open.status == AttemptStatus::Open && open.amount == amount => {
                tx.commit().await?;
                return Ok(Json(answer(payments, &open)?));
            }
            // Recorded before, the provider's answer lost: the same key again.
            Some(creating) if creating.status == AttemptStatus::Creating => creating,
            previous => {
                let attempt = Attempt {
                    claim_id: id.clone(),
                    attempt: previous.map_or(1, |p| p.attempt + 1),
                    intent_id: None,
                    client_secret: None,
                    amount,
                    currency: CURRENCY.to_owned(),
                    status: AttemptStatus::Creating,
                    method: None,
                    last_failure: None,
                };
                if records::insert(&mut tx, &attempt, PROVIDER, now).await? {
                    attempt
                } else {
                    // Another request recorded it at the same moment: the same key.
                    records::latest(&mut tx, &id)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("a recorded attempt vanished"))?
                }
            }
        };
        tx.commit().await?;
        attempt
    };
    let intent = payments
        .stripe
        .create_intent(
            i64::from(attempt.amount.grosze()),
            &attempt.currency,
            &id,
            &METHODS,
            &attempt.idempotency_key(),
        )
        .await
        .map_err(unavailable)?;
    let secret = intent.client_secret.clone().unwrap_or_default();
    let mut tx = state.db.write().await?;
    let stored = if records::opened(&mut tx, &attempt, &intent.id, &secret, now).await? {
        Attempt {
            intent_id: Some(intent.id.clone()),
            client_secret: Some(secret),
            status: AttemptStatus::Open,
            ..attempt
        }
    } else {
        // A concurrent request stored its intent first; a stand-in that ignores the
        // idempotency key may have made a second one, which is cancelled.
        let stored = records::latest(&mut tx, &id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a recorded attempt vanished"))?;
        if stored.intent_id.as_deref() != Some(intent.id.as_str()) {
            let _ = payments.stripe.cancel_intent(&intent.id).await;
        }
        stored
    };
    tx.commit().await?;
    Ok(Json(answer(payments, &stored)?))
}

/// A BLIK code: six digits.
fn blik_code(code: &str) -> Result<&str, ApiError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ApiError::field(
            Refusal::InvalidRequest,
            "code",
            "a BLIK code is 6 digits",
        ))
    }
}

/// A card token from Stripe.js: `tok_` and letters or digits.
fn card_token(token: &str) -> Result<&str, ApiError> {
    let valid = token.len() <= 255
        && token.strip_prefix("tok_").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if valid {
        Ok(token)
    } else {
        Err(ApiError::field(
            Refusal::InvalidRequest,
            "token",
            "a card token from Stripe.js (tok_…)",
        ))
    }
}

fn progress(intent: &Intent) -> PaymentProgress {
    let failure = intent
        .last_payment_error
        .as_ref()
        .map(|e| PaymentFailure::from_provider(e.code.as_deref(), e.decline_code.as_deref()));
    let state = match intent.status.as_str() {
        "succeeded" => PaymentState::Succeeded,
        "requires_action" => PaymentState::RequiresAction,
        "processing" | "requires_capture" | "requires_confirmation" => PaymentState::Processing,
        _ => PaymentState::Failed,
    };
    PaymentProgress {
        state,
        client_secret: (state == PaymentState::RequiresAction)
            .then(|| intent.client_secret.clone())
            .flatten(),
        failure: (state == PaymentState::Failed).then(|| failure.unwrap_or(PaymentFailure::Other)),
    }
}

/// Pays the claim's open intent with a card (a Stripe.js token; 3-D Secure then
/// finishes in the browser) or a BLIK code (confirmed in the bank's app). A declined
/// payment answers 200 with `failed` and why; the claim stays `awaiting_payment`.
#[utoipa::path(post, path = "/api/claims/{id}/payment/confirm", tag = "claims",
    params(("id" = String, Path)),
    request_body = PayWith,
    responses(
        (status = 200, body = PaymentProgress),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_state` (nothing is due, or no payment started), `online_payment_unavailable`"),
        (status = 422, description = "`invalid_request` naming `token` or `code`"),
        (status = 503, description = "`unavailable`: the payment provider does not answer"),
    ))]
pub(super) async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: ApiJson<PayWith>,
) -> Result<Json<PaymentProgress>, ApiError> {
    let payments = configured(&state)?;
    let now = state.clock.now().as_second();
    let pay_with = body.value;
    let method = match &pay_with {
        PayWith::Card { token } => card_token(token).map(|_| "card")?,
        PayWith::Blik { code } => blik_code(code).map(|_| "blik")?,
    };
    let intent_id = {
        let mut tx = state.db.write().await?;
        let claim = claims::find(&mut tx, &id).await?.ok_or(Refusal::NotFound)?;
        awaiting_payment(&claim)?;
        let open = records::latest(&mut tx, &id)
            .await?
            .filter(|a| a.status == AttemptStatus::Open)
            .and_then(|a| a.intent_id)
            .ok_or_else(|| {
                ApiError::detail(
                    Refusal::InvalidState,
                    "no payment is open: start it with POST /api/claims/{id}/payment",
                )
            })?;
        records::set_method(&mut tx, &open, method, now).await?;
        tx.commit().await?;
        open
    };
    let confirmed = match &pay_with {
        PayWith::Card { token } => match payments.stripe.card_from_token(token).await {
            Ok(card) => payments.stripe.confirm_with(&intent_id, &card).await,
            Err(e) => Err(e),
        },
        PayWith::Blik { code } => payments.stripe.confirm_blik(&intent_id, code).await,
    };
    let intent = match confirmed {
        Ok(intent) => intent,
        // A decline answers with an error; the intent itself says why.
        Err(StripeError::Refused { .. }) => payments
            .stripe
            .retrieve_intent(&intent_id)
            .await
            .map_err(unavailable)?,
        Err(e) => return Err(unavailable(e)),
    };
    let answer = progress(&intent);
    match answer.state {
        PaymentState::Succeeded => settle::succeeded(&state, payments, &intent, None).await?,
        PaymentState::Failed => settle::failed(&state, &intent, None).await?,
        PaymentState::RequiresAction | PaymentState::Processing => {}
    }
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blik_code_is_six_digits() {
        assert!(blik_code("123456").is_ok());
        for bad in ["12345", "1234567", "12345a", "", "12 456"] {
            assert!(blik_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_card_token_is_a_stripe_token() {
        assert!(card_token("tok_1AbC").is_ok());
        for bad in ["tok_", "pm_card_visa", "tok_a-b", "tok_a\"b"] {
            assert!(card_token(bad).is_err(), "{bad:?}");
        }
        assert!(card_token(&format!("tok_{}", "a".repeat(300))).is_err());
    }
}
