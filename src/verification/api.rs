//! The verification API, as the pages call it (the uploads speak tus: `uploader/tus.rs`).

use crate::api::{self, ApiError};
use care_rules::Lang;
use care_rules::api::{VerificationCreated, VerificationDocument, VerificationRequest};

/// Where tus uploads are created.
pub const UPLOADS: &str = "/api/uploads";

/// `POST /api/verifications`: opens a case; its link is emailed to the owner.
pub async fn open_case(
    request: &VerificationRequest,
    lang: Lang,
) -> Result<VerificationCreated, ApiError> {
    api::post("/api/verifications", request, lang, None).await
}

/// `GET /api/verifications/{id}`: the case by its link.
pub async fn case(id: &str, lang: Lang) -> Result<VerificationDocument, ApiError> {
    api::get(&format!("/api/verifications/{id}"), lang).await
}
