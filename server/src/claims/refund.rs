//! `POST /api/staff/claims/{id}/refund`: a paid claim that has not shipped gets its whole
//! payment back: through the provider for an online payment (called outside any
//! transaction, with one idempotency key per claim, so a retry refunds nothing more),
//! recorded as a bank refund for a transfer. The claim becomes `refunded` (final), a
//! Care Refresh replacement goes back to the chain, the owner is told.

use super::records::ClaimRecord;
use super::{load, next, save, service::staff_view};
use crate::coverage::chains;
use crate::email::{self, messages::PaymentRefunded};
use crate::http::extract::ApiJson;
use crate::http::problem::ApiError;
use crate::payments::records::{self as payments, AttemptStatus};
use crate::staff::StaffUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{ReasonRequest, StaffClaim};
use care_rules::text::DECLINE_REASON;
use care_rules::{ClaimStatus, ClaimStep, Money, Refusal, Role};
use serde_json::json;

/// The online payment of a claim still to be refunded: its intent and amount.
fn online(claim: &ClaimRecord) -> Option<(String, Money)> {
    match (
        claim.paid_via.as_deref(),
        &claim.payment_reference,
        claim.paid,
    ) {
        (Some(crate::payments::PROVIDER), Some(intent), Some(paid)) => Some((intent.clone(), paid)),
        _ => None,
    }
}

/// Refunds the whole payment of a paid claim not yet shipped; 409 `invalid_state` for
/// any other (a second refund included).
#[utoipa::path(post, path = "/api/staff/claims/{id}/refund", tag = "staff",
    params(("id" = String, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = StaffClaim),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not the service team"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_state`: not paid, or shipped, or refunded already"),
        (status = 422, description = "`invalid_request` naming `reason`"),
        (status = 503, description = "`unavailable`: the payment provider does not answer"),
    ))]
pub(super) async fn refund(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    body: ApiJson<ReasonRequest>,
) -> Result<Json<StaffClaim>, ApiError> {
    user.require(Role::Service)?;
    let reason = DECLINE_REASON.parse(&body.value.reason)?;
    // Checked first, so that nothing is refunded for a claim that may not be.
    let claim = {
        let mut tx = state.db.read().await?;
        let claim = load(&mut tx, &id).await?;
        next(&claim, ClaimStep::Refund)?;
        claim
    };
    let reference = match online(&claim) {
        Some((intent, paid)) => {
            let payments = state.payments.as_deref().ok_or_else(|| {
                ApiError::detail(
                    Refusal::OnlinePaymentUnavailable,
                    "the claim was paid online, and the payment provider is not configured",
                )
            })?;
            let refund = payments
                .stripe
                .refund(
                    &intent,
                    i64::from(paid.grosze()),
                    &format!("claim-refund:{id}"),
                )
                .await
                .map_err(|e| {
                    tracing::warn!(claim = %id, error = %e, "refunding a claim");
                    ApiError::detail(
                        Refusal::Unavailable,
                        "the payment provider did not refund; try again",
                    )
                })?;
            {
                let mut tx = state.db.write().await?;
                payments::set_status(
                    &mut tx,
                    &intent,
                    &[AttemptStatus::Succeeded],
                    AttemptStatus::Refunded,
                    state.clock.now().as_second(),
                )
                .await?;
                tx.commit().await?;
            }
            refund
        }
        None => "transfer".to_owned(),
    };
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let mut claim = load(&mut tx, &id).await?;
    let from = claim.status;
    if from != ClaimStatus::Paid {
        // Moved on while the provider refunded (shipped meanwhile): staff must see it.
        tracing::error!(claim = %id, status = %from, %reference, "refunded a claim that moved on");
        return Err(ApiError::detail(
            Refusal::InvalidState,
            format!("the claim is {from}; the payment was refunded as {reference}"),
        ));
    }
    claim.status = next(&claim, ClaimStep::Refund)?;
    claim.refund_reference = Some(reference.clone());
    claim.refund_reason = Some(reason.clone());
    // A Care Refresh replacement paid by this claim is given back to the chain.
    let returned = chains::give_back(&mut tx, &claim.id).await?;
    let details =
        json!({"reference": reference, "reason": reason, "replacement_returned": returned});
    save(&mut tx, &claim, from, &user.actor(), details, now).await?;
    let message = PaymentRefunded {
        lang: claim.lang,
        number: claim.number(),
        serial: claim.serial.clone(),
        amount: email::messages::money(claim.paid.unwrap_or(Money::ZERO), claim.lang),
        reason,
        link: state.links.claim(&claim.id),
    };
    email::queue(&mut tx, &claim.customer_email, &message, now).await?;
    let answer = staff_view(&mut tx, &state.service, &claim).await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(Json(answer))
}
