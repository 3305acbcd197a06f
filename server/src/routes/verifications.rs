//! `/api/verifications`: a case for a verification video (R2, R3), opened by the owner
//! and followed by its unguessable id.

use crate::codes::random_id;
use crate::coverage::{DeviceState, parse_serial};
use crate::email;
use crate::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::storage::{AuditEvent, VerificationRecord};
use crate::tus;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use care_rules::api::{
    Problem, UploadProgress, VerificationCreated, VerificationDocument, VerificationRequest,
};
use care_rules::{Email, Refusal, VerificationCase, VerificationStatus};
use serde_json::json;

/// Opens a case: the owner then uploads the video to `upload_url` (tus) with the case
/// id in `Upload-Metadata`. The owner gets the case's link by email.
#[utoipa::path(post, path = "/api/verifications", tag = "verification",
    request_body = VerificationRequest,
    responses(
        (status = 201, body = VerificationCreated),
        (status = 404, body = Problem, description = "`device_not_found`"),
        (status = 422, body = Problem, description = "`invalid_serial`, `invalid_request`"),
        (status = 429, body = Problem, description = "`rate_limited`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    body: ApiJson<VerificationRequest>,
) -> Result<(StatusCode, Json<VerificationCreated>), ApiError> {
    let req = body.value;
    let serial = parse_serial(&req.serial)?;
    let email = Email::parse(&req.email)
        .map_err(|r| ApiError::field(r, "email", "an email address such as jan@example.pl"))?;
    let now = state.clock.now();
    let limits = state.limits;
    let bucket = format!("verification-cases:client:{}", client);
    let mut tx = state.store.write().await?;
    limits
        .check(
            tx.as_mut(),
            &bucket,
            limits.cases_per_client,
            now.as_second(),
        )
        .await?;
    DeviceState::load(tx.as_mut(), &serial).await?;
    let id = random_id();
    tx.insert_verification(&VerificationRecord {
        id: id.clone(),
        serial: serial.as_str().to_owned(),
        email: email.as_str().to_owned(),
        lang: lang.tag().to_owned(),
        case: VerificationCase {
            status: VerificationStatus::AwaitingUpload,
            accepted_at: None,
        },
        created_at: now,
        submitted_at: None,
        decided_at: None,
        reject_reason: None,
        reject_note: None,
        upload_id: None,
    })
    .await?;
    tx.record_failure(&bucket, now.as_second(), limits.window_seconds)
        .await?;
    tx.enqueue_email(
        &email::verification_opened(lang, email.as_str(), &serial, &state.case_link(&id)),
        now,
    )
    .await?;
    tx.audit(
        &AuditEvent {
            actor: &format!("customer:{}", email.masked()),
            action: "verification.opened",
            subject: &format!("verification:{id}"),
            details: json!({"serial": serial}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(VerificationCreated {
            id,
            status: VerificationStatus::AwaitingUpload,
            upload_url: "/api/uploads".to_owned(),
            max_bytes: tus::MAX_SIZE,
        }),
    ))
}

/// Where a case stands; `expired` once an acceptance's 72 hours have passed.
#[utoipa::path(get, path = "/api/verifications/{id}", tag = "verification",
    params(("id" = String, Path, description = "The case id (32 hex digits)")),
    responses(
        (status = 200, body = VerificationDocument),
        (status = 404, body = Problem, description = "`not_found`"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<VerificationDocument>, ApiError> {
    let mut tx = state.store.read().await?;
    let record = tx.verification(&id).await?.ok_or(Refusal::NotFound)?;
    let upload = tx.open_uploads(&id).await?.pop().map(|u| UploadProgress {
        url: format!("/api/uploads/{}", u.id),
        offset: u.received,
        length: u.length,
    });
    let now = state.clock.now();
    Ok(Json(VerificationDocument {
        id: record.id,
        serial: record.serial,
        status: record.case.status_at(now),
        submitted_at: record.submitted_at,
        decided_at: record.decided_at,
        activation_deadline: record.case.activation_deadline(),
        reject_reason: record.reject_reason,
        reject_note: record.reject_note,
        upload,
    }))
}
