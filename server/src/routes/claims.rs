//! `/api/claims`: an owner files a claim and follows it by its unguessable link.

use crate::claims;
use crate::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::problem::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use care_rules::Refusal;
use care_rules::api::{ChoiceRequest, ClaimCreated, ClaimDocument, ClaimRequest, Problem};

/// Files a claim. Care Refresh eligibility and its fee are judged now (R10) and hold
/// for the claim even if the coverage ends while the device is in service.
#[utoipa::path(post, path = "/api/claims", tag = "claims",
    request_body = ClaimRequest,
    responses(
        (status = 201, body = ClaimCreated),
        (status = 404, body = Problem, description = "`device_not_found`"),
        (status = 422, body = Problem, description = "`invalid_serial`, `invalid_request` naming the field"),
        (status = 429, body = Problem, description = "`rate_limited`"),
    ))]
pub async fn file(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    body: ApiJson<ClaimRequest>,
) -> Result<(StatusCode, Json<ClaimCreated>), ApiError> {
    let created = claims::file(&state, body.value, lang, client).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The claim with its history, by its id (the owner's link).
#[utoipa::path(get, path = "/api/claims/{id}", tag = "claims",
    params(("id" = String, Path)),
    responses((status = 200, body = ClaimDocument), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ClaimDocument>, ApiError> {
    let mut tx = state.store.read().await?;
    let claim = tx.claim(&id).await?.ok_or(Refusal::NotFound)?;
    Ok(Json(claims::document(tx.as_mut(), &claim).await?))
}

/// The owner's choice once quoted: the repair, or Care Refresh (refused with
/// `no_replacements_left` or `coverage_not_active` when R10 says so).
#[utoipa::path(post, path = "/api/claims/{id}/choice", tag = "claims",
    params(("id" = String, Path)),
    request_body = ChoiceRequest,
    responses(
        (status = 200, body = ClaimDocument),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`invalid_state`, naming the current state"),
        (status = 422, body = Problem, description = "`no_replacements_left`, `coverage_not_active`"),
    ))]
pub async fn choose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: ApiJson<ChoiceRequest>,
) -> Result<Json<ClaimDocument>, ApiError> {
    Ok(Json(claims::choose(&state, &id, body.value.option).await?))
}
