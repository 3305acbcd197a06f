//! Video review (role `reviewer`): the queue, the video with HTTP Range (a `<video>`
//! element seeks with it), and the decision that opens the owner's 72-hour window or
//! tells them why not.

use super::cases::{self, VerificationRecord};
use super::uploads::queries as uploads;
use crate::audit::{self, AuditEvent};
use crate::db::Tx;
use crate::db::column::secs;
use crate::email::{
    self,
    messages::{VideoAccepted, VideoRejected},
};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::paging::{Cursor, PageRequest};
use crate::http::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use anyhow::Result;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care_rules::api::{DecisionRequest, ReviewItem, ReviewPage, VerificationDocument};
use care_rules::text::REJECT_NOTE;
use care_rules::time::{UPLOAD_WINDOW, VERIFICATION_WINDOW};
use care_rules::{Email, Refusal, RejectReason, Role, Timestamp, VerificationStatus};
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct QueueQuery {
    /// Only cases in this status as at now (an accepted case past its 72 hours, or one
    /// awaiting its video past 14 days, is `expired`).
    status: Option<VerificationStatus>,
    /// Items per page: 1 to 200, 50 when left out.
    limit: Option<u32>,
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
}

/// A page of cases, oldest submission first, filtered by their status as at `now`, with
/// the product of their device and whether their video is still kept: one query.
async fn queue_rows(
    tx: &mut Tx,
    status: Option<VerificationStatus>,
    page: &PageRequest,
    now: Timestamp,
) -> Result<Vec<(VerificationRecord, Option<String>, bool)>> {
    let (after_key, after_id) = match &page.after {
        Some(c) => (Some(c.key), Some(c.id.clone())),
        None => (None, None),
    };
    // The status as at now, in SQL, from the rules' own windows (what `status_at`
    // says): the filter is one indexed scan, not a query per case.
    let rows = sqlx::query(
        "SELECT v.id, v.serial, v.email, v.lang, v.status, v.created_at, v.submitted_at,
                v.decided_at, v.accepted_at, v.reject_reason, v.reject_note, v.upload_id,
                d.product_id,
                CAST(CASE WHEN u.id IS NOT NULL AND u.video_deleted_at IS NULL
                     THEN 1 ELSE 0 END AS BIGINT) AS video_kept
         FROM verifications v
         LEFT JOIN devices d ON d.serial = v.serial
         LEFT JOIN uploads u ON u.id = v.upload_id
         WHERE (CAST($1 AS TEXT) IS NULL OR $1 = CASE
                    WHEN v.status = 'accepted' AND v.accepted_at + $4 <= $6 THEN 'expired'
                    WHEN v.status = 'awaiting_upload' AND v.created_at + $5 <= $6 THEN 'expired'
                    ELSE v.status END)
           AND (CAST($2 AS BIGINT) IS NULL
                OR COALESCE(v.submitted_at, v.created_at) > $2
                OR (COALESCE(v.submitted_at, v.created_at) = $2 AND v.id > $3))
         ORDER BY COALESCE(v.submitted_at, v.created_at), v.id
         LIMIT $7",
    )
    .bind(status.map(VerificationStatus::as_str))
    .bind(after_key)
    .bind(after_id)
    .bind(VERIFICATION_WINDOW.as_secs())
    .bind(UPLOAD_WINDOW.as_secs())
    .bind(secs(now))
    .bind(page.fetch())
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                cases::from_row(r)?,
                r.try_get("product_id")?,
                r.try_get::<i64, _>("video_kept")? != 0,
            ))
        })
        .collect()
}

/// The video queue, oldest first, a page at a time; emails masked.
#[utoipa::path(get, path = "/api/staff/verifications", tag = "staff",
    params(QueueQuery),
    responses(
        (status = 200, body = ReviewPage),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not a reviewer"),
        (status = 422, description = "`invalid_request`: an unknown status, a limit out of range, a bad cursor"),
    ))]
pub(super) async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<ReviewPage>, ApiError> {
    user.require(Role::Reviewer)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let now = state.clock.now();
    let mut tx = state.db.read().await?;
    let rows = queue_rows(&mut tx, query.status, &page, now).await?;
    let (rows, next_cursor) = page.split(rows, |(record, _, _)| Cursor {
        key: secs(record.submitted_at.unwrap_or(record.created_at)),
        id: record.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|(record, product_id, video_kept)| ReviewItem {
            video_url: video_kept.then(|| format!("/api/staff/verifications/{}/video", record.id)),
            email: Email::parse(&record.email).map_or_else(|_| "***".to_owned(), |e| e.masked()),
            status: record.case.status_at(now),
            id: record.id,
            serial: record.serial,
            product_id,
            created_at: record.created_at,
            submitted_at: record.submitted_at,
            decided_at: record.decided_at,
            reject_reason: record.reject_reason,
        })
        .collect();
    Ok(Json(ReviewPage { items, next_cursor }))
}

/// The case's video, with HTTP Range so a `<video>` element can seek.
#[utoipa::path(get, path = "/api/staff/verifications/{id}/video", tag = "staff",
    params(("id" = String, Path), ("Range" = Option<String>, Header, description = "one `bytes=` range")),
    responses(
        (status = 200, description = "The video", content_type = "video/mp4"),
        (status = 206, description = "A range of it", content_type = "video/mp4"),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not a reviewer"),
        (status = 404, description = "`not_found`: no video (none yet, or deleted after retention)"),
        (status = 416, description = "`range_not_satisfiable`: the range lies outside the video"),
    ))]
pub(super) async fn video(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    user.require(Role::Reviewer)?;
    let mut tx = state.db.read().await?;
    let record = cases::find(&mut tx, &id).await?.ok_or(Refusal::NotFound)?;
    let upload_id = record.upload_id.ok_or(Refusal::NotFound)?;
    let upload = uploads::find(&mut tx, &upload_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    drop(tx);
    if upload.video_deleted_at.is_some() || upload.finished_at.is_none() {
        return Err(ApiError::detail(
            Refusal::NotFound,
            "the video is no longer kept",
        ));
    }
    let store = &state.videos.store;
    let size = store.size(&upload.id).await?;
    let wanted = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, size));
    let (status, range) = match wanted {
        Some(Err(())) => {
            let mut refused = ApiError::field(
                Refusal::RangeNotSatisfiable,
                "Range",
                format!("the video has {size} bytes"),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                refused.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(refused);
        }
        Some(Ok(range)) => (StatusCode::PARTIAL_CONTENT, range),
        None => (StatusCode::OK, 0..size),
    };
    let stream = store.read(&upload.id, range.clone()).await?;
    let mut response = Body::from_stream(stream).into_response();
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&upload.content_type)
        .unwrap_or(HeaderValue::from_static("video/mp4"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // An owner's file: never run as a page, never sniffed into something else.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(range.end - range.start),
    );
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) =
            HeaderValue::from_str(&format!("bytes {}-{}/{size}", range.start, range.end - 1))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}

/// One `bytes=` range of a file of `size` bytes as `start..end`; `Err` when it cannot be
/// satisfied; `None` for anything else (then the whole file is sent, as RFC 9110 allows).
fn parse_range(header: &str, size: u64) -> Option<Result<std::ops::Range<u64>, ()>> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (start, end) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.saturating_sub(n), size)
        }
        (start, "") => (start.parse().ok()?, size),
        (start, end) => (
            start.parse().ok()?,
            end.parse::<u64>().ok()?.saturating_add(1).min(size),
        ),
    };
    Some(if start < end && start < size {
        Ok(start..end)
    } else {
        Err(())
    })
}

async fn decide_record(
    tx: &mut Tx,
    id: &str,
    accept: bool,
    reason: Option<RejectReason>,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE verifications SET status = $1, decided_at = $2, accepted_at = $3,
             reject_reason = $4, reject_note = $5, decided_by = $6
         WHERE id = $7 AND status = 'pending_review'",
    )
    .bind(if accept { "accepted" } else { "rejected" })
    .bind(secs(at))
    .bind(accept.then_some(secs(at)))
    .bind(reason.map(RejectReason::as_str))
    .bind(note)
    .bind(by)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts (opening the owner's 72-hour window) or rejects a case under review; the
/// owner is told by email either way.
#[utoipa::path(post, path = "/api/staff/verifications/{id}/decision", tag = "staff",
    params(("id" = String, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = VerificationDocument),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not a reviewer"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_state`: not under review"),
        (status = 422, description = "`invalid_request`: a rejection needs a reason, `other` a note"),
    ))]
pub(super) async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    body: ApiJson<DecisionRequest>,
) -> Result<Json<VerificationDocument>, ApiError> {
    user.require(Role::Reviewer)?;
    let req = body.value;
    let note = match req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(REJECT_NOTE.parse(n).map_err(|r| {
            ApiError::field(
                r.refusal,
                r.field,
                format!("at most {} characters", REJECT_NOTE.max),
            )
        })?),
        None => None,
    };
    match (req.accept, req.reason, &note) {
        (true, None, None) | (false, Some(_), Some(_)) => {}
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
        (false, Some(_), None) => {}
    }
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let record = cases::find(&mut tx, &id).await?.ok_or(Refusal::NotFound)?;
    let decided = record
        .case
        .decide(req.accept, now)
        .map_err(|r| ApiError::detail(r, format!("the case is {}", record.case.status_at(now))))?;
    if !decide_record(
        &mut tx,
        &id,
        req.accept,
        req.reason,
        note.as_deref(),
        &user.email,
        now,
    )
    .await?
    {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the case was decided meanwhile",
        ));
    }
    let link = state.links.case(&id);
    match decided.activation_deadline() {
        Some(deadline) => {
            let message = VideoAccepted::new(record.lang, &record.serial, deadline, link);
            email::queue(&mut tx, &record.email, &message, now).await?;
        }
        None => {
            let message = VideoRejected::new(
                record.lang,
                &record.serial,
                req.reason,
                note.as_deref(),
                link,
            );
            email::queue(&mut tx, &record.email, &message, now).await?;
        }
    }
    audit::record(
        &mut tx,
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
    Ok(Json(cases::document(&state, &id).await?))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok(0..100)));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(Ok(990..1000)));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
