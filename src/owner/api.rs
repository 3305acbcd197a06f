//! The owner API, as the page calls it. The session is a cookie the browser keeps and
//! sends by itself (HttpOnly: the app never sees it).

use crate::api::{self, ApiError};
use care_rules::Lang;
use care_rules::api::{
    OwnerAccessAccepted, OwnerAccessRequest, OwnerErasureRequest, OwnerOverview,
    OwnerSessionRequest,
};

/// `POST /api/owner/access`: the same answer whatever the address.
pub async fn ask_link(email: &str, lang: Lang) -> Result<OwnerAccessAccepted, ApiError> {
    let request = OwnerAccessRequest {
        email: email.to_owned(),
    };
    api::post("/api/owner/access", &request, lang, None).await
}

/// `POST /api/owner/session`: the link's token for a session.
pub async fn sign_in(token: &str, lang: Lang) -> Result<(), ApiError> {
    let request = OwnerSessionRequest {
        token: token.to_owned(),
    };
    api::post_for_no_content("/api/owner/session", &request, lang).await
}

/// `GET /api/owner/overview`: `unauthorized` without a session.
pub async fn overview(lang: Lang) -> Result<OwnerOverview, ApiError> {
    api::get("/api/owner/overview", lang).await
}

/// `POST /api/owner/logout`.
pub async fn sign_out(lang: Lang) -> Result<(), ApiError> {
    api::post_no_content("/api/owner/logout", lang).await
}

/// `POST /api/owner/erasure`: `invalid_state` while a claim is open.
pub async fn erase(lang: Lang) -> Result<(), ApiError> {
    let request = OwnerErasureRequest { confirm: true };
    api::post_for_no_content("/api/owner/erasure", &request, lang).await
}
