//! `POST /api/activations/check`: every rule of an activation run on a code and a
//! device before the owner types their details (spec §6), so that a card for another
//! product is refused at the step where it becomes knowable. Nothing is written except
//! a wrong code, which counts toward the guessing limit as an activation's would: Back
//! and reload repeat checks freely without locking the owner out.

use super::{Buckets, coverage_after, decide, parse_code, parse_verification_id};
use crate::coverage::devices::parse_serial;
use crate::http::extract::{ApiJson, ClientAddr};
use crate::http::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use care_rules::api::{ActivationCheck, ActivationCheckRequest, CheckOutcome, CoverageDocument};
use care_rules::{Activation, Refusal};

/// What an activation with this code would do to this device now, without doing it.
///
/// Answers what the owner would get (the coverage's dates and replacements after it),
/// or the refusal the activation would get. Only an unknown code counts toward the
/// code-guessing limit.
#[utoipa::path(post, path = "/api/activations/check", tag = "coverage",
    request_body = ActivationCheckRequest,
    responses(
        (status = 200, body = ActivationCheck, description = "The activation would succeed; what it would give"),
        (status = 404, description = "`code_not_found`, `device_not_found`"),
        (status = 409, description = "`code_already_used`"),
        (status = 422, description = "`invalid_request`, `invalid_code_format`, `invalid_serial`, `code_product_mismatch` (with `code_product_id` and `device_product_id`), `code_region_mismatch`, `verification_required`, `verification_not_accepted`, `verification_window_closed`, `extension_requires_annual_plan`, `extension_window_closed`, `coverage_cap_exceeded`"),
        (status = 429, description = "`rate_limited`, with `Retry-After`"),
    ))]
pub(super) async fn check(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: ApiJson<ActivationCheckRequest>,
) -> Result<Json<ActivationCheck>, ApiError> {
    let req = body.value;
    let code = parse_code(&req.code)?;
    let serial = parse_serial(&req.serial)?;
    let verification_id = parse_verification_id(req.verification_id.as_ref())?;
    let now = state.clock.now();
    let buckets = Buckets::new(client, &serial);
    buckets.slow_down(&state, now).await?;
    let code_hash = state.code_key.hash(&code);

    // A write transaction, for the counters; it is rolled back unless a wrong code is
    // to be counted.
    let mut tx = state.db.write().await?;
    buckets.check(&state, &mut tx, now).await?;
    let decided = match decide(
        &mut tx,
        &serial,
        &code_hash,
        verification_id.as_deref(),
        now,
    )
    .await
    {
        Ok(decided) => decided,
        Err(error) if error.refusal() == Some(Refusal::CodeNotFound) => {
            buckets.record_failure(&state, &mut tx, now).await?;
            tx.commit().await?;
            return Err(error);
        }
        Err(error) => return Err(error),
    };
    drop(tx);
    let outcome = match decided.decision {
        Activation::New { .. } => CheckOutcome::Activate,
        Activation::Extension { .. } => CheckOutcome::Extend,
    };
    let coverage = coverage_after(&decided);
    let product = decided.device_state.product;
    let after = CoverageDocument::build(&serial, product, Some(&coverage), None, now);
    ActivationCheck::from_coverage(outcome, decided.plan, &after)
        .map(Json)
        .ok_or_else(|| anyhow::anyhow!("a coverage without dates").into())
}
