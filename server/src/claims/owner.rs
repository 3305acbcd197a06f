//! `/api/claims`: an owner files a claim, follows it by its unguessable link, and
//! chooses between the quoted repair and Care Refresh.

use super::records::{self, ClaimRecord};
use super::{care_refresh, customer_actor, document, load, next, offer, save};
use crate::coverage::DeviceState;
use crate::coverage::devices::parse_serial;
use crate::email::{self, messages::ClaimFiled};
use crate::http::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::http::problem::ApiError;
use crate::ids::random_id;
use crate::rate_limit::client_key;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use care_rules::api::{ChoiceRequest, ClaimCreated, ClaimDocument, ClaimRequest};
use care_rules::text::{DESCRIPTION, SHIPPING_ADDRESS};
use care_rules::{ClaimOption, ClaimStatus, ClaimStep, Customer, Refusal};
use serde_json::json;

/// Files a claim. Care Refresh eligibility and its fee are judged now (R10) and hold
/// for the claim even if the coverage ends while the device is in service.
#[utoipa::path(post, path = "/api/claims", tag = "claims",
    request_body = ClaimRequest,
    params(("Accept-Language" = Option<String>, Header, description = "`pl` (default) or `en`: the language of the emails")),
    responses(
        (status = 201, body = ClaimCreated),
        (status = 404, description = "`device_not_found`"),
        (status = 422, description = "`invalid_serial`, `invalid_request` naming the field"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub(super) async fn file(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    body: ApiJson<ClaimRequest>,
) -> Result<(StatusCode, Json<ClaimCreated>), ApiError> {
    let req = body.value;
    let serial = parse_serial(&req.serial)?;
    let description = DESCRIPTION.parse(&req.description)?;
    let c = &req.customer;
    let customer = Customer::parse(&c.name, &c.email, c.phone.as_deref())?;
    let address = SHIPPING_ADDRESS.parse(&req.shipping_address)?;
    let now = state.clock.now();
    let limits = state.limits;
    let bucket = format!("claims:client:{}", client_key(client));
    let mut tx = state.db.write().await?;
    limits
        .check(&mut tx, &bucket, limits.cases_per_client, now.as_second())
        .await?;
    let device = DeviceState::load(&mut tx, &serial).await?;
    let judged = match &device.coverage {
        Some(c) => c.coverage.care_refresh(device.product, now),
        None => Err(Refusal::CoverageNotActive),
    };
    let id = random_id();
    let record = ClaimRecord {
        id: id.clone(),
        serial: serial.as_str().to_owned(),
        product_id: device.product.id.to_owned(),
        coverage_id: device.coverage.as_ref().map(|c| c.id.clone()),
        description,
        customer_name: customer.name.as_str().to_owned(),
        customer_email: customer.email.as_str().to_owned(),
        customer_phone: customer.phone.as_ref().map(|p| p.as_str().to_owned()),
        shipping_address: address,
        lang,
        status: ClaimStatus::Submitted,
        filed_at: now,
        eligible: judged.is_ok(),
        refusal: judged.err(),
        quote: None,
        option: None,
        paid: None,
        tracking: None,
        replacement_serial: None,
        shipped_at: None,
        decline_reason: None,
        paid_via: None,
        payment_reference: None,
        refund_reference: None,
        refund_reason: None,
    };
    records::insert(&mut tx, &record).await?;
    let actor = format!("customer:{}", customer.email.masked());
    records::record_event(&mut tx, &id, ClaimStatus::Submitted, &actor, now).await?;
    limits.record(&mut tx, &bucket, now.as_second()).await?;
    let message = ClaimFiled {
        lang,
        name: record.customer_name.clone(),
        number: record.number(),
        serial: record.serial.clone(),
        service_address: state.service.address.clone(),
        care_refresh_fee: judged.ok().map(|fee| fee.display(lang)),
        link: state.links.claim(&id),
    };
    email::queue(&mut tx, &record.customer_email, &message, now).await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::AuditEvent {
            actor: &actor,
            action: "claim.submitted",
            subject: &super::audit_subject(&id),
            details: json!({"serial": serial, "eligible": record.eligible, "refusal": record.refusal}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(ClaimCreated {
            number: records::number(&id),
            id,
            status: ClaimStatus::Submitted,
            care_refresh: offer(judged),
        }),
    ))
}

/// The claim with its history, by its id (the owner's link).
#[utoipa::path(get, path = "/api/claims/{id}", tag = "claims",
    params(("id" = String, Path)),
    responses((status = 200, body = ClaimDocument), (status = 404, description = "`not_found`")))]
pub(super) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ClaimDocument>, ApiError> {
    // A payment the webhook has not settled yet is asked about first.
    crate::payments::reconcile_claim(&state, &id).await;
    let mut tx = state.db.read().await?;
    let claim = load(&mut tx, &id).await?;
    Ok(Json(document(&mut tx, &state.service, &claim).await?))
}

/// The owner's choice once quoted: the repair, or Care Refresh (refused with
/// `no_replacements_left` or `coverage_not_active` when R10 says so).
#[utoipa::path(post, path = "/api/claims/{id}/choice", tag = "claims",
    params(("id" = String, Path)),
    request_body = ChoiceRequest,
    responses(
        (status = 200, body = ClaimDocument),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_state`, naming the current state"),
        (status = 422, description = "`no_replacements_left`, `coverage_not_active`"),
    ))]
pub(super) async fn choose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: ApiJson<ChoiceRequest>,
) -> Result<Json<ClaimDocument>, ApiError> {
    let option = body.value.option;
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let mut claim = load(&mut tx, &id).await?;
    let from = claim.status;
    let status = next(&claim, ClaimStep::Choose)?;
    if option == ClaimOption::CareRefresh {
        care_refresh(&mut tx, &claim)
            .await?
            .map_err(ApiError::from)?;
    }
    claim.status = status;
    claim.option = Some(option);
    let actor = customer_actor(&claim.customer_email);
    save(
        &mut tx,
        &claim,
        from,
        &actor,
        json!({"option": option}),
        now,
    )
    .await?;
    let doc = document(&mut tx, &state.service, &claim).await?;
    tx.commit().await?;
    Ok(Json(doc))
}
