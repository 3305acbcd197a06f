//! The owner's page behind an emailed link: `POST /api/owner/access` asks for a link,
//! `POST /api/owner/session` trades its token for a session, `POST /api/owner/logout`
//! ends it, `GET /api/owner/overview` shows what the session's address owns and
//! `GET /api/owner/export` gives all of its data as a file.

pub mod erasure;
pub mod export;
pub mod links;
pub mod overview;
pub mod session;

use crate::http::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::http::problem::ApiError;
use crate::rate_limit::client_key;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use care_rules::api::{
    OwnerAccessAccepted, OwnerAccessRequest, OwnerErasureRequest, OwnerOverview,
    OwnerSessionRequest,
};
use care_rules::{Email, Refusal};
pub use session::Owner;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(access))
        .routes(routes!(start_session))
        .routes(routes!(logout))
        .routes(routes!(overview))
        .routes(routes!(download))
        .routes(routes!(erase))
}

/// Asks for a sign-in link to the owner's page. Always the same 202, whether the
/// address has records or not and whether or not it is over its limit: a link goes
/// out (single use, 30 minutes) only to an address with devices, cases or claims.
#[utoipa::path(post, path = "/api/owner/access", tag = "owner",
    request_body = OwnerAccessRequest,
    params(("Accept-Language" = Option<String>, Header, description = "`pl` (default) or `en`: the language of the email")),
    responses(
        (status = 202, body = OwnerAccessAccepted),
        (status = 422, description = "`invalid_request`: not an email address"),
    ))]
async fn access(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    body: ApiJson<OwnerAccessRequest>,
) -> Result<(StatusCode, Json<OwnerAccessAccepted>), ApiError> {
    let email = Email::parse(&body.value.email)
        .map_err(|r| ApiError::field(r, "email", "an email address such as jan@example.pl"))?;
    // Lower-cased as the records are matched (ASCII, as SQLite's `lower`).
    let email = email.as_str().to_ascii_lowercase();
    let now = state.clock.now();
    let limits = state.limits;
    let buckets = [
        (
            format!("owner-links:email:{email}"),
            limits.links_per_address,
        ),
        (
            format!("owner-links:client:{}", client_key(client)),
            limits.links_per_client,
        ),
    ];
    let mut tx = state.db.write().await?;
    let mut within = true;
    for (bucket, limit) in &buckets {
        match limits.check(&mut tx, bucket, *limit, now.as_second()).await {
            Ok(()) => {}
            Err(ApiError::RateLimited { .. }) => within = false,
            Err(e) => return Err(e),
        }
    }
    if within {
        for (bucket, _) in &buckets {
            limits.record(&mut tx, bucket, now.as_second()).await?;
        }
        links::record_ask(&mut tx, &email, lang, now).await?;
        tx.commit().await?;
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = links::send_links(&state).await {
                tracing::warn!(error = format!("{e:#}"), "sending sign-in links failed");
            }
        });
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(OwnerAccessAccepted {
            status: "accepted".to_owned(),
        }),
    ))
}

/// Trades the token of an emailed link for an owner session (24 hours).
#[utoipa::path(post, path = "/api/owner/session", tag = "owner",
    request_body = OwnerSessionRequest,
    responses(
        (status = 204, description = "Signed in; `Set-Cookie: care_owner=…; HttpOnly; SameSite=Strict; Path=/api/owner`"),
        (status = 401, description = "`unauthorized`: the link is unknown, used or expired"),
        (status = 429, description = "`rate_limited`"),
    ))]
async fn start_session(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    body: ApiJson<OwnerSessionRequest>,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let now = state.clock.now();
    let limits = state.limits;
    let bucket = format!("owner-session-failures:client:{}", client_key(client));
    {
        let mut tx = state.db.read().await?;
        limits
            .check(
                &mut tx,
                &bucket,
                limits.failures_per_client,
                now.as_second(),
            )
            .await?;
    }
    let Some(email) = links::use_link(&state.db, &body.value.token, now).await? else {
        let mut tx = state.db.write().await?;
        limits.record(&mut tx, &bucket, now.as_second()).await?;
        tx.commit().await?;
        return Err(ApiError::detail(
            Refusal::Unauthorized,
            "this link is unknown, used or expired: ask for a new one",
        ));
    };
    let mut tx = state.db.write().await?;
    let cookie = session::SESSIONS
        .start(&mut tx, &email, now, state.secure_cookies)
        .await?;
    tx.commit().await?;
    Ok((jar.add(cookie), StatusCode::NO_CONTENT))
}

/// Ends the owner session.
#[utoipa::path(post, path = "/api/owner/logout", tag = "owner",
    responses((status = 204, description = "Signed out")))]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    Ok(session::SESSIONS
        .end(&state.db, jar, state.secure_cookies)
        .await?)
}

/// Everything of the session's address: devices, video cases, claims.
#[utoipa::path(get, path = "/api/owner/overview", tag = "owner",
    responses(
        (status = 200, body = OwnerOverview),
        (status = 401, description = "`unauthorized`: no session"),
    ))]
async fn overview(
    State(state): State<AppState>,
    owner: Owner,
) -> Result<Json<OwnerOverview>, ApiError> {
    Ok(Json(overview::build(&state, &owner.email).await?))
}

/// All of the session's address's data, as a JSON file to keep.
#[utoipa::path(get, path = "/api/owner/export", tag = "owner",
    responses(
        (status = 200, body = export::OwnerExport, description = "`Content-Disposition: attachment`"),
        (status = 401, description = "`unauthorized`: no session"),
    ))]
async fn download(
    State(state): State<AppState>,
    owner: Owner,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let export = export::build(&state, &owner.email).await?;
    Ok((
        [(
            axum::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"care-refresh-data.json\"",
        )],
        Json(export),
    ))
}

/// Erases the session's address's personal data and ends the session. Refused while
/// one of its claims is open or a video is under review. Takes `{"confirm": true}`: a
/// JSON body, which no form of another site can send, and a deliberate one.
#[utoipa::path(post, path = "/api/owner/erasure", tag = "owner",
    request_body = OwnerErasureRequest,
    responses(
        (status = 204, description = "Erased; the session cookie is cleared"),
        (status = 401, description = "`unauthorized`: no session"),
        (status = 409, description = "`invalid_state`: a claim is still open, or a video under review"),
        (status = 422, description = "`invalid_request`: no confirmation"),
    ))]
async fn erase(
    State(state): State<AppState>,
    owner: Owner,
    jar: CookieJar,
    body: ApiJson<OwnerErasureRequest>,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if !body.value.confirm {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "confirm",
            "erasure cannot be undone: send {\"confirm\": true}",
        ));
    }
    erasure::erase(&state, &owner.email).await?;
    Ok(session::SESSIONS
        .end(&state.db, jar, state.secure_cookies)
        .await?)
}
