//! Staff sign-in: `POST /api/staff/login`, `/logout`, `GET /api/staff/me`, the accounts
//! and sessions behind them, and [`StaffUser`], the extractor of every staff route.

pub mod accounts;
pub mod session;

use crate::audit::{self, AuditEvent};
use crate::http::extract::{ApiJson, ClientAddr};
use crate::http::problem::ApiError;
use crate::rate_limit::client_key;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use care_rules::Refusal;
use care_rules::api::{LoginRequest, StaffMember};
pub use session::StaffUser;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

fn member(user: &StaffUser) -> StaffMember {
    StaffMember {
        email: user.email.clone(),
        role: user.role,
    }
}

/// Signs in; answers with the session cookie. Wrong attempts are limited per client
/// and per account.
#[utoipa::path(post, path = "/api/staff/login", tag = "staff",
    request_body = LoginRequest,
    responses(
        (status = 200, body = StaffMember, description = "Signed in; `Set-Cookie: care_staff=…; HttpOnly; SameSite=Strict`"),
        (status = 401, description = "`unauthorized`: wrong email or password"),
        (status = 429, description = "`rate_limited`"),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    body: ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<StaffMember>), ApiError> {
    let email = body.value.email.trim().to_lowercase();
    let now = state.clock.now().as_second();
    let limits = state.limits;
    let client = client_key(client);
    // Hard limits per client and per (account, client): a stranger cannot lock the
    // member out; against the account from anywhere, failures only slow answers down.
    let hard = [
        (
            format!("login-failures:client:{client}"),
            limits.failures_per_client,
        ),
        (
            format!("login-failures:email:{email}:client:{client}"),
            limits.failures_per_serial,
        ),
    ];
    let account_bucket = format!("login-failures:email:{email}");
    tokio::time::sleep(limits.slowdown(&state.db, &account_bucket, now).await?).await;
    let account = {
        let mut tx = state.db.read().await?;
        // Checked before hashing too, so that a client over its limit costs no argon2.
        for (bucket, limit) in &hard {
            limits.check(&mut tx, bucket, *limit, now).await?;
        }
        accounts::find(&mut tx, &email).await?
    };
    let matches = accounts::password_matches(account.as_ref(), &body.value.password).await?;
    let mut tx = state.db.write().await?;
    // Again where a failure is recorded, with the counters locked: wrong passwords
    // racing each other are counted one after the other.
    for (bucket, limit) in &hard {
        limits.check(&mut tx, bucket, *limit, now).await?;
    }
    let Some(account) = account.filter(|a| matches && a.disabled_at.is_none()) else {
        for bucket in hard.iter().map(|(b, _)| b).chain([&account_bucket]) {
            limits.record(&mut tx, bucket, now).await?;
        }
        tx.commit().await?;
        return Err(ApiError::detail(
            Refusal::Unauthorized,
            "wrong email or password",
        ));
    };
    let at = state.clock.now();
    let cookie = session::SESSIONS
        .start(&mut tx, &account.email, at, state.secure_cookies)
        .await?;
    let user = StaffUser {
        email: account.email,
        role: account.role,
    };
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: &user.actor(),
            action: "staff.signed_in",
            subject: &user.actor(),
            details: serde_json::json!({}),
        },
        at,
    )
    .await?;
    tx.commit().await?;
    Ok((jar.add(cookie), Json(member(&user))))
}

/// Ends the session.
#[utoipa::path(post, path = "/api/staff/logout", tag = "staff",
    responses((status = 204, description = "Signed out")))]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    Ok(session::SESSIONS
        .end(&state.db, jar, state.secure_cookies)
        .await?)
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/staff/me", tag = "staff",
    responses(
        (status = 200, body = StaffMember),
        (status = 401, description = "`unauthorized`"),
    ))]
async fn me(user: StaffUser) -> Json<StaffMember> {
    Json(member(&user))
}
