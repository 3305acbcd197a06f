//! Verification cases (R2, R3): `POST /api/verifications` opens one for a device, the
//! owner follows it by its unguessable id (`GET /api/verifications/{id}`) and uploads the
//! video to it; staff decide in `review`.

use super::uploads::{queries as uploads, tus};
use crate::audit::{self, AuditEvent};
use crate::coverage::DeviceState;
use crate::coverage::devices::parse_serial;
use crate::db::Tx;
use crate::db::column::{instant, named, opt_instant, secs};
use crate::email::{self, messages::CaseOpened};
use crate::http::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::http::problem::ApiError;
use crate::ids::random_id;
use crate::rate_limit::client_key;
use crate::state::AppState;
use anyhow::Result;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use care_rules::api::{
    UploadProgress, VerificationCreated, VerificationDocument, VerificationRequest,
};
use care_rules::{
    Eligibility, Email, Lang, Refusal, RejectReason, Timestamp, VerificationCase,
    VerificationStatus,
};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub id: String,
    pub serial: String,
    pub email: String,
    /// The language of the emails about this case.
    pub lang: Lang,
    pub case: VerificationCase,
    pub created_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    /// The finished upload under review.
    pub upload_id: Option<String>,
}

impl VerificationRecord {
    /// The case as its owner follows it at `now`, with an upload to resume if any.
    pub fn document(self, now: Timestamp, upload: Option<UploadProgress>) -> VerificationDocument {
        VerificationDocument {
            id: self.id,
            serial: self.serial,
            status: self.case.status_at(now),
            submitted_at: self.submitted_at,
            decided_at: self.decided_at,
            activation_deadline: self.case.activation_deadline(),
            reject_reason: self.reject_reason,
            reject_note: self.reject_note,
            upload,
        }
    }
}

const COLUMNS: &str = "SELECT id, serial, email, lang, status, created_at, submitted_at,
    decided_at, accepted_at, reject_reason, reject_note, upload_id FROM verifications";

pub(super) fn from_row(r: &AnyRow) -> Result<VerificationRecord> {
    let reason: Option<String> = r.try_get("reject_reason")?;
    let lang: String = r.try_get("lang")?;
    Ok(VerificationRecord {
        id: r.try_get("id")?,
        serial: r.try_get("serial")?,
        email: r.try_get("email")?,
        lang: Lang::from_tag(&lang),
        case: VerificationCase {
            status: named(r.try_get("status")?, VerificationStatus::parse)?,
            opened_at: instant(r.try_get("created_at")?)?,
            accepted_at: opt_instant(r.try_get("accepted_at")?)?,
        },
        created_at: instant(r.try_get("created_at")?)?,
        submitted_at: opt_instant(r.try_get("submitted_at")?)?,
        decided_at: opt_instant(r.try_get("decided_at")?)?,
        reject_reason: reason
            .as_deref()
            .map(|r| named(r, RejectReason::parse))
            .transpose()?,
        reject_note: r.try_get("reject_note")?,
        upload_id: r.try_get("upload_id")?,
    })
}

/// The cases an address opened, newest first (for the owner's page). `email`
/// lower-cased.
pub async fn of_owner(tx: &mut Tx, email: &str) -> Result<Vec<VerificationRecord>> {
    let rows = sqlx::query(&format!(
        "{COLUMNS} WHERE lower(email) = lower($1) ORDER BY created_at DESC, id"
    ))
    .bind(email)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Erases an address from its cases (see `owner::erasure`): the reviewer's note about
/// the video goes too; how many there were.
pub async fn erase_owner(tx: &mut Tx, email: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE verifications SET email = '', reject_note = NULL WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// A case, locked in a write: two uploads created for one case at once on two
/// instances must not both stay open.
pub async fn find(tx: &mut Tx, id: &str) -> Result<Option<VerificationRecord>> {
    let row = sqlx::query(&format!("{COLUMNS} WHERE id = $1{}", tx.for_update()))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn insert(tx: &mut Tx, v: &VerificationRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO verifications (id, serial, email, lang, status, created_at, submitted_at,
             decided_at, accepted_at, reject_reason, reject_note, upload_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&v.id)
    .bind(&v.serial)
    .bind(&v.email)
    .bind(v.lang.as_str())
    .bind(v.case.status.as_str())
    .bind(secs(v.created_at))
    .bind(v.submitted_at.map(secs))
    .bind(v.decided_at.map(secs))
    .bind(v.case.accepted_at.map(secs))
    .bind(v.reject_reason.map(RejectReason::as_str))
    .bind(&v.reject_note)
    .bind(&v.upload_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Marks an accepted case used by `activation_id`; `false` if it was not accepted.
pub async fn mark_used(tx: &mut Tx, id: &str, activation_id: &str, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE verifications SET status = 'used', used_at = $1, activation_id = $2
         WHERE id = $3 AND status = 'accepted'",
    )
    .bind(secs(at))
    .bind(activation_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an awaiting case to review with its finished upload; `false` if it was not
/// awaiting one.
pub async fn submit(tx: &mut Tx, id: &str, upload_id: &str, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE verifications SET status = 'pending_review', submitted_at = $1, upload_id = $2
         WHERE id = $3 AND status = 'awaiting_upload'",
    )
    .bind(secs(at))
    .bind(upload_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a case: the owner then uploads the video to `upload_url` (tus) with the case
/// id in `Upload-Metadata`. The owner gets the case's link by email.
#[utoipa::path(post, path = "/api/verifications", tag = "verification",
    request_body = VerificationRequest,
    params(("Accept-Language" = Option<String>, Header, description = "`pl` (default) or `en`: the language of the emails")),
    responses(
        (status = 201, body = VerificationCreated),
        (status = 404, description = "`device_not_found`"),
        (status = 409, description = "`invalid_state`: the device needs no video now"),
        (status = 422, description = "`invalid_serial`, `invalid_request`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub(super) async fn open(
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
    let bucket = format!("verification-cases:client:{}", client_key(client));
    let mut tx = state.db.write().await?;
    limits
        .check(&mut tx, &bucket, limits.cases_per_client, now.as_second())
        .await?;
    let device = DeviceState::load(&mut tx, &serial).await?;
    if device.rules_device().eligibility(now) != Eligibility::VideoRequired {
        // A case nobody needs would only send mail and wait for a reviewer.
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "this device needs no video now: a plan activates or extends without one",
        ));
    }
    let id = random_id();
    insert(
        &mut tx,
        &VerificationRecord {
            id: id.clone(),
            serial: serial.as_str().to_owned(),
            email: email.as_str().to_owned(),
            lang,
            case: VerificationCase {
                status: VerificationStatus::AwaitingUpload,
                opened_at: now,
                accepted_at: None,
            },
            created_at: now,
            submitted_at: None,
            decided_at: None,
            reject_reason: None,
            reject_note: None,
            upload_id: None,
        },
    )
    .await?;
    limits.record(&mut tx, &bucket, now.as_second()).await?;
    let message = CaseOpened {
        lang,
        serial: serial.as_str().to_owned(),
        link: state.links.case(&id),
    };
    email::queue(&mut tx, email.as_str(), &message, now).await?;
    audit::record(
        &mut tx,
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

/// The case as its owner follows it, with an unfinished upload to resume.
pub async fn document(state: &AppState, id: &str) -> Result<VerificationDocument, ApiError> {
    let mut tx = state.db.read().await?;
    let record = find(&mut tx, id).await?.ok_or(Refusal::NotFound)?;
    let upload = uploads::open_for_case(&mut tx, id)
        .await?
        .pop()
        .map(|u| UploadProgress {
            url: format!("/api/uploads/{}", u.id),
            offset: u.received,
            length: u.length,
        });
    Ok(record.document(state.clock.now(), upload))
}

/// Where a case stands; `expired` once an acceptance's 72 hours have passed.
#[utoipa::path(get, path = "/api/verifications/{id}", tag = "verification",
    params(("id" = String, Path, description = "The case id (32 hex digits)")),
    responses(
        (status = 200, body = VerificationDocument),
        (status = 404, description = "`not_found`"),
    ))]
pub(super) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<VerificationDocument>, ApiError> {
    Ok(Json(document(&state, &id).await?))
}
