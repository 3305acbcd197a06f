//! `/api/uploads`: resumable uploads of verification videos, tus 1.0 (core, creation,
//! creation-with-upload, termination, checksum), as third-party tus clients speak it.
//! Bytes stream to the store in constant memory; the stored offset moves only after
//! they are durable, so an acknowledged byte is never lost.

mod bucket;
pub mod container;
mod disk;
pub mod queries;
pub mod store;
pub mod tus;

use crate::config::StorageLimits;
use crate::http::extract::ClientAddr;
use crate::http::problem::ApiError;
use crate::ids::random_id;
use crate::rate_limit::client_key;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care_rules::verification::video;
use care_rules::{Refusal, VerificationStatus};
use container::Verdict;
use futures::StreamExt;
use queries::UploadRecord;
use sha1::{Digest, Sha1};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use store::VideoStore;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(options_collection, create))
        .routes(routes!(head, patch, delete, options_upload))
        // tus answers carry its version, refusals included; a 412 also names the
        // versions the server speaks (tus 1.0 requires it).
        .layer(axum::middleware::map_response(tus_headers))
}

async fn tus_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("tus-resumable", HeaderValue::from_static(tus::VERSION));
    if response.status() == StatusCode::PRECONDITION_FAILED {
        response
            .headers_mut()
            .insert("tus-version", HeaderValue::from_static(tus::VERSION));
    }
    response
}

/// The video store, how much it may hold, and the uploads being written right now.
#[derive(Clone)]
pub struct Videos {
    pub store: Arc<VideoStore>,
    limits: StorageLimits,
    writing: UploadLocks,
}

impl Videos {
    pub fn new(store: VideoStore, limits: StorageLimits) -> Videos {
        Videos {
            store: Arc::new(store),
            limits,
            writing: UploadLocks::default(),
        }
    }
}

/// Bytes the uploads of one case may declare in all: two whole videos, so that an
/// owner can start again once; an upload beyond it needs a new case.
const CASE_QUOTA: u64 = 2 * tus::MAX_SIZE;

/// Uploads a request is writing to right now: a second writer is refused, so chunks of
/// one upload never interleave on this instance (across instances the conditional
/// offset update decides).
#[derive(Clone, Default)]
struct UploadLocks(Arc<Mutex<HashSet<String>>>);

struct UploadLock {
    locks: UploadLocks,
    id: String,
}

impl UploadLocks {
    /// The lock on `id`, or `invalid_state` while another request holds it.
    fn lock(&self, id: &str) -> Result<UploadLock, ApiError> {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if held.insert(id.to_owned()) {
            Ok(UploadLock {
                locks: self.clone(),
                id: id.to_owned(),
            })
        } else {
            Err(ApiError::detail(
                Refusal::InvalidState,
                "another request is writing this upload",
            ))
        }
    }
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        let mut held = self
            .locks
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        held.remove(&self.id);
    }
}

fn with_headers(status: StatusCode, headers: &[(&'static str, String)]) -> Response {
    let mut response = status.into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

fn capabilities() -> Response {
    with_headers(
        StatusCode::NO_CONTENT,
        &[
            ("tus-version", tus::VERSION.to_owned()),
            ("tus-max-size", tus::MAX_SIZE.to_string()),
            ("tus-extension", tus::EXTENSIONS.to_owned()),
            (
                "tus-checksum-algorithm",
                tus::CHECKSUM_ALGORITHMS.to_owned(),
            ),
        ],
    )
}

/// What the server supports.
#[utoipa::path(options, path = "/api/uploads", tag = "verification",
    responses((status = 204, description = "`Tus-Version`, `Tus-Max-Size`, `Tus-Extension`, `Tus-Checksum-Algorithm`")))]
async fn options_collection() -> Response {
    capabilities()
}

/// What the server supports (asked of an upload's URL).
#[utoipa::path(options, path = "/api/uploads/{id}", tag = "verification",
    params(("id" = String, Path)),
    responses((status = 204, description = "`Tus-Version`, `Tus-Max-Size`, `Tus-Extension`, `Tus-Checksum-Algorithm`")))]
async fn options_upload() -> Response {
    capabilities()
}

/// Creates an upload for a verification case awaiting its video. `Upload-Metadata`
/// carries `verification_id` (and may carry `filename`, `filetype`). With a body
/// (`Content-Type: application/offset+octet-stream`) its bytes are the upload's first
/// chunk (creation-with-upload).
#[utoipa::path(post, path = "/api/uploads", tag = "verification",
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Length" = u64, Header, description = "bytes, at most Tus-Max-Size (2 GiB)"),
        ("Upload-Metadata" = String, Header, description = "`verification_id <base64>`, optionally `filename`, `filetype`"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream", description = "optional: the first chunk"),
    responses(
        (status = 201, description = "Created; `Location` is the upload's URL, and with a first chunk `Upload-Offset` the bytes taken",
            headers(("Location" = String))),
        (status = 404, description = "`not_found`: no such verification case"),
        (status = 409, description = "`invalid_state`: the case is not awaiting a video"),
        (status = 412, description = "`tus_version_unsupported`"),
        (status = 413, description = "`payload_too_large`: over 2 GiB, over the case's quota, or metadata over 1 KiB"),
        (status = 415, description = "`unsupported_media_type`: not MP4 or MOV"),
        (status = 422, description = "`invalid_request`: a header is missing or malformed; `video_duration_out_of_range`"),
        (status = 429, description = "`rate_limited`: too many uploads from this client or for this case"),
        (status = 460, description = "`checksum_mismatch`: the first chunk was discarded"),
        (status = 507, description = "`storage_full`: the store or its quota is full"),
    ))]
async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    tus::check_version(&headers)?;
    let length = tus::number(&headers, "Upload-Length")?;
    if length > tus::MAX_SIZE {
        return Err(ApiError::field(
            Refusal::PayloadTooLarge,
            "Upload-Length",
            format!("a video may have at most {} bytes (2 GiB)", tus::MAX_SIZE),
        ));
    }
    if length < 8 {
        return Err(ApiError::field(
            Refusal::UnsupportedMediaType,
            "Upload-Length",
            "too short to be a video",
        ));
    }
    let (raw, metadata) = tus::metadata(&headers)?;
    let case_id = metadata.get("verification_id").ok_or_else(|| {
        ApiError::field(
            Refusal::InvalidRequest,
            "Upload-Metadata",
            "verification_id is required",
        )
    })?;
    let name = metadata.get("filename").map_or("", String::as_str);
    let declared = metadata.get("filetype").map(String::as_str);
    let content_type = match (declared, video::media_type(declared, name)) {
        (_, Some(t)) => t,
        // Nothing said of the type or the name: the container check decides.
        (None, None) => "video/mp4",
        (Some(_), None) => {
            return Err(ApiError::field(
                Refusal::UnsupportedMediaType,
                "Upload-Metadata",
                "the video must be MP4 or MOV",
            ));
        }
    };
    let with_chunk = tus::carries_chunk(&headers);
    let expected_sha1 = tus::checksum(&headers)?;
    let now = state.clock.now();
    let id = random_id();
    let mut tx = state.db.write().await?;
    let case = super::cases::find(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if case.case.status_at(now) != VerificationStatus::AwaitingUpload {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the case is not awaiting a video",
        ));
    }
    let limits = state.limits;
    let buckets = [
        (
            format!("uploads:client:{}", client_key(client)),
            limits.uploads_per_client,
        ),
        (format!("uploads:case:{case_id}"), limits.uploads_per_case),
    ];
    for (bucket, limit) in &buckets {
        limits
            .check(&mut tx, bucket, *limit, now.as_second())
            .await?;
    }
    // A new upload replaces one the client abandoned (a lost URL, another file); its
    // room is free again.
    let abandoned = queries::open_for_case(&mut tx, case_id).await?;
    for old in &abandoned {
        queries::terminate(&mut tx, &old.id, now).await?;
    }
    check_room(&state.videos, &mut tx, case_id, length).await?;
    for (bucket, _) in &buckets {
        limits.record(&mut tx, bucket, now.as_second()).await?;
    }
    let upload = UploadRecord {
        id: id.clone(),
        verification_id: case_id.clone(),
        length,
        received: 0,
        metadata: raw,
        content_type: content_type.to_owned(),
        created_at: now,
        finished_at: None,
        terminated_at: None,
        video_deleted_at: None,
    };
    queries::insert(&mut tx, &upload).await?;
    state.videos.store.create(&id).await?;
    tx.commit().await?;
    for old in abandoned {
        state.videos.store.delete(&old.id).await?;
    }
    let location = ("location", format!("/api/uploads/{id}"));
    if !with_chunk {
        return Ok(with_headers(StatusCode::CREATED, &[location]));
    }
    let _lock = state.videos.writing.lock(&id)?;
    let offset = write_chunk(&state, &upload, 0, expected_sha1, &headers, body).await?;
    Ok(with_headers(
        StatusCode::CREATED,
        &[location, ("upload-offset", offset.to_string())],
    ))
}

/// Whether a new upload of `length` bytes for `case_id` fits: the case's quota (413),
/// the store's quota and the disk's free space (507).
async fn check_room(
    videos: &Videos,
    tx: &mut crate::db::Tx,
    case_id: &str,
    length: u64,
) -> Result<(), ApiError> {
    let taken = queries::declared_for_case(tx, case_id).await?;
    if taken.saturating_add(length) > CASE_QUOTA {
        return Err(ApiError::field(
            Refusal::PayloadTooLarge,
            "Upload-Length",
            format!("this case has taken {taken} bytes of its {CASE_QUOTA}; open a new case"),
        ));
    }
    if let Some(quota) = videos.limits.quota_bytes {
        let kept = queries::bytes_kept(tx).await?;
        if kept.saturating_add(length) > quota {
            tracing::warn!(kept, quota, "the video quota is full");
            return Err(ApiError::detail(
                Refusal::StorageFull,
                "the portal holds all the video it may now; try again later",
            ));
        }
    }
    if let Some(free) = videos.store.free_space()?
        && free < length.saturating_add(videos.limits.reserve_bytes)
    {
        tracing::warn!(free, length, "the disk is too full for a new upload");
        return Err(ApiError::detail(
            Refusal::StorageFull,
            "no room for the video now; try again later",
        ));
    }
    Ok(())
}

/// An upload that exists and was not terminated.
async fn live_upload(state: &AppState, id: &str) -> Result<UploadRecord, ApiError> {
    let mut tx = state.db.read().await?;
    match queries::find(&mut tx, id).await? {
        Some(u) if u.terminated_at.is_none() => Ok(u),
        _ => Err(Refusal::NotFound.into()),
    }
}

/// The offset to resume from.
#[utoipa::path(head, path = "/api/uploads/{id}", tag = "verification",
    params(("id" = String, Path), ("Tus-Resumable" = String, Header)),
    responses(
        (status = 200, description = "`Upload-Offset`, `Upload-Length`, `Cache-Control: no-store`"),
        (status = 404, description = "no such upload, or terminated"),
        (status = 412, description = "`tus_version_unsupported`"),
    ))]
async fn head(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tus::check_version(&headers)?;
    let mut upload = live_upload(&state, &id).await?;
    if upload.received == upload.length && upload.finished_at.is_none() {
        // The last chunk was stored but the server stopped before finishing.
        complete(&state, &upload).await?;
        upload = live_upload(&state, &id).await?;
    }
    Ok(with_headers(
        StatusCode::OK,
        &[
            ("upload-offset", upload.received.to_string()),
            ("upload-length", upload.length.to_string()),
            ("upload-metadata", upload.metadata.clone()),
            ("cache-control", "no-store".to_owned()),
        ],
    ))
}

/// Stores a chunk at `Upload-Offset`.
#[utoipa::path(patch, path = "/api/uploads/{id}", tag = "verification",
    params(
        ("id" = String, Path),
        ("Tus-Resumable" = String, Header),
        ("Upload-Offset" = u64, Header),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha1 <base64 digest>`"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Stored; `Upload-Offset` is the new offset"),
        (status = 404, description = "no such upload, or terminated"),
        (status = 409, description = "`offset_mismatch`, or `invalid_state` for a finished upload"),
        (status = 412, description = "`tus_version_unsupported`"),
        (status = 413, description = "`payload_too_large`: past `Upload-Length`"),
        (status = 415, description = "`unsupported_media_type`: wrong Content-Type, or not a video (the upload is removed)"),
        (status = 422, description = "`invalid_request`: a header is missing or malformed; `video_duration_out_of_range` (the upload is removed)"),
        (status = 460, description = "`checksum_mismatch`: the chunk was discarded"),
    ))]
async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    tus::check_version(&headers)?;
    if !tus::carries_chunk(&headers) {
        return Err(ApiError::field(
            Refusal::UnsupportedMediaType,
            "Content-Type",
            format!("chunks are sent as {}", tus::OFFSET_OCTET_STREAM),
        ));
    }
    let offset = tus::number(&headers, "Upload-Offset")?;
    let expected_sha1 = tus::checksum(&headers)?;
    let _lock = state.videos.writing.lock(&id)?;
    let upload = live_upload(&state, &id).await?;
    if upload.finished_at.is_some() || upload.received == upload.length {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the upload is complete",
        ));
    }
    if offset != upload.received {
        return Err(ApiError::detail(
            Refusal::OffsetMismatch,
            format!("the upload is at offset {}", upload.received),
        ));
    }
    let new_offset = write_chunk(&state, &upload, offset, expected_sha1, &headers, body).await?;
    Ok(with_headers(
        StatusCode::NO_CONTENT,
        &[("upload-offset", new_offset.to_string())],
    ))
}

/// Streams a chunk into `upload` at `offset` (the caller holds the upload's lock and has
/// checked the offset), makes it durable, then counts it; returns the new offset.
async fn write_chunk(
    state: &AppState,
    upload: &UploadRecord,
    offset: u64,
    expected_sha1: Option<[u8; 20]>,
    headers: &HeaderMap,
    body: Body,
) -> Result<u64, ApiError> {
    let room = upload.length - offset;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > room) {
        return Err(too_long(room));
    }
    let mut sink = state.videos.store.begin_chunk(&upload.id, offset).await?;
    let mut hasher = expected_sha1.map(|_| Sha1::new());
    let mut stream = body.into_data_stream();
    // Bytes held back until the container check: nothing is kept from a file that is
    // not a video.
    let mut head: Option<Vec<u8>> = (offset == 0).then(Vec::new);
    let mut written: u64 = 0;
    let mut dropped = false;
    while let Some(frame) = stream.next().await {
        let Ok(bytes) = frame else {
            dropped = true;
            break;
        };
        let held = head.as_ref().map_or(0, Vec::len) as u64;
        if written + held + bytes.len() as u64 > room {
            sink.discard().await?;
            return Err(too_long(room));
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&bytes);
        }
        match head.as_mut() {
            Some(held) => {
                held.extend_from_slice(&bytes);
                if held.len() >= 8 {
                    if !tus::is_video_container(held) {
                        sink.discard().await?;
                        remove_upload(state, upload).await?;
                        return Err(ApiError::field(
                            Refusal::UnsupportedMediaType,
                            "body",
                            "the file is not an MP4 or MOV video; nothing was kept",
                        ));
                    }
                    sink.write(held).await?;
                    written += held.len() as u64;
                    head = None;
                }
            }
            None => {
                sink.write(&bytes).await?;
                written += bytes.len() as u64;
            }
        }
    }
    if head.is_some() {
        // The first chunk ended before the container could be checked.
        sink.discard().await?;
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "body",
            "the first chunk must hold at least the first 8 bytes",
        ));
    }
    if let Some(expected) = expected_sha1 {
        let actual: [u8; 20] = hasher.map(|h| h.finalize().into()).unwrap_or_default();
        if dropped || actual != expected {
            sink.discard().await?;
            return Err(ApiError::detail(
                Refusal::ChecksumMismatch,
                if dropped {
                    "the chunk was cut short"
                } else {
                    "sha1 differs"
                },
            ));
        }
    }
    // Durable first, then counted: a crash between the two loses nothing acknowledged.
    sink.commit().await?;
    metrics::counter!("care_upload_bytes_total").increment(written);
    let new_offset = offset + written;
    let mut tx = state.db.write().await?;
    if !queries::advance(&mut tx, &upload.id, offset, new_offset).await? {
        return Err(ApiError::detail(
            Refusal::OffsetMismatch,
            "the upload moved meanwhile",
        ));
    }
    tx.commit().await?;
    if new_offset == upload.length {
        complete(state, upload).await?;
    }
    if dropped {
        tracing::info!(upload = %upload.id, offset = new_offset, "a chunk was cut short; its bytes are kept");
    }
    Ok(new_offset)
}

fn too_long(room: u64) -> ApiError {
    ApiError::field(
        Refusal::PayloadTooLarge,
        "body",
        format!("the chunk goes past Upload-Length: {room} bytes remain"),
    )
}

/// The whole file is stored: make it the case's video and send the case to review.
/// Safe to run again after a crash.
pub async fn complete(state: &AppState, upload: &UploadRecord) -> Result<(), ApiError> {
    state.videos.store.finish(&upload.id, upload.length).await?;
    // The browser checked the file; the server reads its container again. A refused
    // file is removed and the case goes on awaiting a video.
    if let Verdict::Refused(refusal) = container::inspect(&state.videos.store, &upload.id).await? {
        remove_upload(state, upload).await?;
        tracing::info!(upload = %upload.id, %refusal, "a finished upload is not a video review can take");
        let why = match refusal {
            Refusal::VideoDurationOutOfRange => {
                "the video must be 15 seconds to 10 minutes long; nothing was kept"
            }
            _ => "the file is not an MP4 or MOV with a video track; nothing was kept",
        };
        return Err(ApiError::field(refusal, "body", why));
    }
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    queries::finish(&mut tx, &upload.id, now).await?;
    if !super::cases::submit(&mut tx, &upload.verification_id, &upload.id, now).await? {
        tracing::warn!(upload = %upload.id, "finished an upload for a case no longer awaiting one");
    }
    tx.commit().await?;
    Ok(())
}

/// At start: finishes uploads whose last chunk was stored before a crash kept them from
/// finishing.
pub async fn recover(state: &AppState) -> anyhow::Result<()> {
    let stuck = {
        let mut tx = state.db.read().await?;
        queries::whole_but_unfinished(&mut tx).await?
    };
    for upload in stuck {
        // One upload that cannot be finished must not keep the portal from starting
        // (another instance may be finishing it at this moment).
        if let Err(e) = complete(state, &upload).await {
            tracing::error!(upload = %upload.id, error = ?e, "an upload could not be finished");
        }
    }
    Ok(())
}

async fn remove_upload(state: &AppState, upload: &UploadRecord) -> Result<(), ApiError> {
    let mut tx = state.db.write().await?;
    queries::terminate(&mut tx, &upload.id, state.clock.now()).await?;
    tx.commit().await?;
    state.videos.store.delete(&upload.id).await?;
    Ok(())
}

/// Terminates an unfinished upload and removes its bytes.
#[utoipa::path(delete, path = "/api/uploads/{id}", tag = "verification",
    params(("id" = String, Path), ("Tus-Resumable" = String, Header)),
    responses(
        (status = 204, description = "Terminated"),
        (status = 404, description = "no such upload, or terminated already"),
        (status = 409, description = "`invalid_state`: a finished upload is under review"),
        (status = 412, description = "`tus_version_unsupported`"),
    ))]
async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tus::check_version(&headers)?;
    let _lock = state.videos.writing.lock(&id)?;
    let upload = live_upload(&state, &id).await?;
    if upload.finished_at.is_some() {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "a finished upload is under review",
        ));
    }
    remove_upload(&state, &upload).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
