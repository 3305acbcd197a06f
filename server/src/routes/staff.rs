//! `/api/staff`: sign-in, and the video review queue (role `reviewer`).

use crate::email;
use crate::extract::{ApiJson, ClientAddr};
use crate::problem::ApiError;
use crate::staff::{self, StaffUser};
use crate::state::AppState;
use crate::storage::{AuditEvent, Decision, Role};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use care_rules::api::{DecisionRequest, LoginRequest, Problem, ReviewItem, StaffMember};
use care_rules::{Email, Lang, Refusal, RejectReason, Serial, VerificationStatus};
use serde::Deserialize;
use serde_json::json;

fn member(user: &StaffUser) -> StaffMember {
    StaffMember {
        email: user.email.clone(),
        role: user.role.as_str().to_owned(),
    }
}

/// Signs in; answers with the session cookie.
#[utoipa::path(post, path = "/api/staff/login", tag = "staff",
    request_body = LoginRequest,
    responses(
        (status = 200, body = StaffMember, description = "Signed in; `Set-Cookie: care_staff=…; HttpOnly; SameSite=Strict`"),
        (status = 401, body = Problem, description = "`unauthorized`: wrong email or password"),
        (status = 429, body = Problem, description = "`rate_limited`"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    body: ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<StaffMember>), ApiError> {
    let (user, cookie) =
        staff::login(&state, &body.value.email, &body.value.password, client).await?;
    Ok((jar.add(cookie), Json(member(&user))))
}

/// Ends the session.
#[utoipa::path(post, path = "/api/staff/logout", tag = "staff",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let cleared = staff::logout(&state, &jar).await?;
    Ok((jar.add(cleared), StatusCode::NO_CONTENT))
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/staff/me", tag = "staff",
    responses(
        (status = 200, body = StaffMember),
        (status = 401, body = Problem, description = "`unauthorized`"),
    ))]
pub async fn me(user: StaffUser) -> Json<StaffMember> {
    Json(member(&user))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// Only cases in this status (as at now: `accepted` cases past 72 hours are `expired`).
    status: Option<VerificationStatus>,
}

/// The video queue, oldest first; emails masked.
#[utoipa::path(get, path = "/api/staff/verifications", tag = "staff",
    params(StatusFilter),
    responses(
        (status = 200, body = Vec<ReviewItem>),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "not a reviewer"),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    Query(filter): Query<StatusFilter>,
) -> Result<Json<Vec<ReviewItem>>, ApiError> {
    user.require(Role::Reviewer)?;
    let now = state.clock.now();
    let mut tx = state.store.read().await?;
    let stored = match filter.status {
        Some(VerificationStatus::Expired) => Some("accepted"),
        Some(other) => Some(stored_status(other)),
        None => None,
    };
    let mut items = Vec::new();
    for record in tx.verifications(stored).await? {
        let status = record.case.status_at(now);
        if filter.status.is_some_and(|wanted| wanted != status) {
            continue;
        }
        let product_id = match Serial::parse(&record.serial) {
            Ok(serial) => tx.device(&serial).await?.map(|d| d.product_id),
            Err(_) => None,
        };
        let video_kept = match &record.upload_id {
            Some(upload) => tx
                .upload(upload)
                .await?
                .is_some_and(|u| u.video_deleted_at.is_none()),
            None => false,
        };
        items.push(ReviewItem {
            video_url: video_kept.then(|| format!("/api/staff/verifications/{}/video", record.id)),
            email: Email::parse(&record.email).map_or_else(|_| "***".to_owned(), |e| e.masked()),
            id: record.id,
            serial: record.serial,
            product_id,
            status,
            created_at: record.created_at,
            submitted_at: record.submitted_at,
            decided_at: record.decided_at,
            reject_reason: record.reject_reason,
        });
    }
    Ok(Json(items))
}

fn stored_status(status: VerificationStatus) -> &'static str {
    match status {
        VerificationStatus::AwaitingUpload => "awaiting_upload",
        VerificationStatus::PendingReview => "pending_review",
        VerificationStatus::Accepted | VerificationStatus::Expired => "accepted",
        VerificationStatus::Rejected => "rejected",
        VerificationStatus::Used => "used",
    }
}

/// The case's video, with HTTP Range so a `<video>` element can seek.
#[utoipa::path(get, path = "/api/staff/verifications/{id}/video", tag = "staff",
    params(("id" = String, Path), ("Range" = Option<String>, Header)),
    responses(
        (status = 200, description = "The video"), (status = 206, description = "A range of it"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no video (none yet, or deleted after retention)"),
    ))]
pub async fn video(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    user.require(Role::Reviewer)?;
    let mut tx = state.store.read().await?;
    let record = tx.verification(&id).await?.ok_or(Refusal::NotFound)?;
    let upload_id = record.upload_id.ok_or(Refusal::NotFound)?;
    let upload = tx.upload(&upload_id).await?.ok_or(Refusal::NotFound)?;
    if upload.video_deleted_at.is_some() || upload.finished_at.is_none() {
        return Err(ApiError::detail(
            Refusal::NotFound,
            "the video is no longer kept",
        ));
    }
    drop(tx);
    Ok(state
        .uploads
        .serve(&upload.id, &upload.content_type, request)
        .await?
        .into_response())
}

/// Accepts (opening the owner's 72-hour window) or rejects a case under review; the
/// owner is told by email either way.
#[utoipa::path(post, path = "/api/staff/verifications/{id}/decision", tag = "staff",
    params(("id" = String, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = care_rules::api::VerificationDocument),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`invalid_state`: not under review"),
        (status = 422, body = Problem, description = "`invalid_request`: a rejection needs a reason, `other` a note"),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    body: ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    user.require(Role::Reviewer)?;
    let req = body.value;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    match (req.accept, req.reason, note) {
        (true, None, None) => {}
        (true, _, _) => {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "reason",
                "an acceptance has no reason",
            ));
        }
        (false, None, _) => {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "reason",
                "a rejection needs a reason",
            ));
        }
        (false, Some(RejectReason::Other), None) => {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "note",
                "say what is wrong",
            ));
        }
        (false, Some(_), Some(n)) if n.chars().count() > 500 => {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "note",
                "at most 500 characters",
            ));
        }
        (false, Some(_), _) => {}
    }
    let now = state.clock.now();
    let mut tx = state.store.write().await?;
    let record = tx.verification(&id).await?.ok_or(Refusal::NotFound)?;
    let decided = record.case.decide(req.accept, now).map_err(|r| {
        ApiError::detail(
            r,
            format!("the case is {}", status_name(record.case.status_at(now))),
        )
    })?;
    let decision = Decision {
        id: &id,
        accept: req.accept,
        reason: req.reason,
        note,
        by: &user.email,
        at: now,
    };
    if !tx.decide_verification(&decision).await? {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the case was decided meanwhile",
        ));
    }
    let lang = if record.lang == "en" {
        Lang::En
    } else {
        Lang::Pl
    };
    let link = state.case_link(&id);
    let mail = match decided.activation_deadline() {
        Some(deadline) => {
            email::verification_accepted(lang, &record.email, &record.serial, deadline, &link)
        }
        None => email::verification_rejected(
            lang,
            &record.email,
            &record.serial,
            req.reason,
            note,
            &link,
        ),
    };
    tx.enqueue_email(&mail, now).await?;
    tx.audit(
        &AuditEvent {
            actor: &user.actor(),
            action: if req.accept {
                "verification.accepted"
            } else {
                "verification.rejected"
            },
            subject: &format!("verification:{id}"),
            details: json!({"reason": req.reason, "note": note}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify_one();
    crate::routes::verifications::get(State(state), Path(id))
        .await
        .map(IntoResponse::into_response)
}

fn status_name(status: VerificationStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
