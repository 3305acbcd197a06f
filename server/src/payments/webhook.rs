//! `POST /api/payments/stripe/webhook`: Stripe's signed events. The signature is checked
//! before the body is parsed; events arrive at least once and in any order.

use super::signature::{self, SignatureError};
use super::stripe::Intent;
use super::{Payments, settle};
use crate::http::problem::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use care_rules::Refusal;
use serde::Deserialize;

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

fn refused(e: SignatureError) -> ApiError {
    tracing::warn!(error = %e, "a webhook with a bad signature; ignored");
    ApiError::detail(Refusal::InvalidSignature, e.to_string())
}

/// The wall clock, also under the test clock: the provider signs with real time.
fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A payment event from Stripe: `payment_intent.succeeded` pays the claim (once),
/// `payment_intent.payment_failed` tells the owner why; other events are acknowledged.
#[utoipa::path(post, path = "/api/payments/stripe/webhook", tag = "claims",
    request_body(content = String, description = "a Stripe event, signed in `Stripe-Signature`", content_type = "application/json"),
    responses(
        (status = 200, description = "handled (a repeat too)"),
        (status = 400, description = "`invalid_signature`: a missing, wrong or stale signature"),
        (status = 422, description = "`invalid_request`: signed, but not an event"),
        (status = 404, description = "`not_found`: online payment is not configured"),
        (status = 503, description = "`unavailable`: try again (Stripe retries)"),
    ))]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(payments) = state.payments.as_deref() else {
        return Err(Refusal::NotFound.into());
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    signature::verify(header, &body, &payments.webhook_secret, wall_clock()).map_err(refused)?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|_| ApiError::detail(Refusal::InvalidRequest, "not a Stripe event"))?;
    handle(&state, payments, &event).await.map_err(|e| {
        tracing::error!(event = %event.id, error = %e, "handling a payment event");
        ApiError::detail(Refusal::Unavailable, "the event could not be handled now")
    })?;
    Ok(StatusCode::OK)
}

async fn handle(state: &AppState, payments: &Payments, event: &Event) -> anyhow::Result<()> {
    let intent = || serde_json::from_value::<Intent>(event.data.object.clone());
    match event.kind.as_str() {
        "payment_intent.succeeded" => {
            settle::succeeded(state, payments, &intent()?, Some(&event.id)).await
        }
        "payment_intent.payment_failed" => settle::failed(state, &intent()?, Some(&event.id)).await,
        other => {
            tracing::debug!(event = %event.id, kind = other, "a payment event the portal does not use");
            Ok(())
        }
    }
}
