use crate::activation::{Caller, activate};
use crate::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::problem::{ApiError, problem_response};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care_rules::Refusal;
use care_rules::api::{ActivationRequest, CoverageDocument, Problem};

const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Activates a plan on a device, or extends its coverage, by rules R1-R13.
///
/// With an `Idempotency-Key`, a repeated request with the same body gets the first
/// answer again; the same key with another body is refused (422).
#[utoipa::path(post, path = "/api/activations", tag = "coverage",
    request_body = ActivationRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 visible ASCII characters"),
        ("Accept-Language" = Option<String>, Header, description = "`pl` (default) or `en`: the language of the confirmation email"),
    ),
    responses(
        (status = 201, body = CoverageDocument, description = "Activated or extended"),
        (status = 404, body = Problem, description = "`code_not_found`, `device_not_found`"),
        (status = 409, body = Problem, description = "`code_already_used`"),
        (status = 413, body = Problem, description = "`payload_too_large`"),
        (status = 415, body = Problem, description = "`unsupported_media_type`"),
        (status = 422, body = Problem, description = "`invalid_request`, `invalid_code_format`, `invalid_serial`, `code_product_mismatch`, `code_region_mismatch`, `verification_required`, `verification_not_accepted`, `verification_window_closed`, `extension_requires_annual_plan`, `coverage_cap_exceeded`"),
        (status = 429, body = Problem, description = "`rate_limited`, with `Retry-After`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    headers: HeaderMap,
    body: ApiJson<ActivationRequest>,
) -> Result<Response, ApiError> {
    let idempotency_key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(idempotency_key(value)?),
    };
    let caller = Caller {
        ip: client,
        lang,
        idempotency_key,
    };
    let answer = activate(&state, body.value, caller).await?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::CREATED);
    if status.is_success() {
        Ok((
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            answer.body,
        )
            .into_response())
    } else {
        // A refusal replayed for its idempotency key.
        Ok(problem_response(status, answer.body))
    }
}

fn idempotency_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().unwrap_or_default();
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if (1..=255).contains(&key.len()) && visible {
        Ok(key.to_owned())
    } else {
        Err(ApiError::field(
            Refusal::InvalidRequest,
            IDEMPOTENCY_KEY,
            "1 to 255 visible ASCII characters",
        ))
    }
}
