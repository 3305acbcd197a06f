//! HTTP plumbing that knows no feature: the error type and its problem+json answers,
//! the extractors that refuse bad input, the OpenAPI helpers, and the middleware the
//! API shares.

pub mod connections;
pub mod extract;
pub mod openapi;
pub mod paging;
pub mod problem;
pub mod security;
pub mod sessions;

use crate::clock::Clock;
use axum::extract::Request;
use axum::http::{HeaderValue, Uri, header};
use axum::response::Response;
use care_rules::Refusal;
use problem::ApiError;

/// `Cache-Control` of a public answer that may be cached for `seconds`.
pub fn public_for(seconds: u32) -> [(axum::http::HeaderName, HeaderValue); 1] {
    let value = HeaderValue::from_str(&format!("public, max-age={seconds}"))
        .unwrap_or(HeaderValue::from_static("no-cache"));
    [(header::CACHE_CONTROL, value)]
}

/// Unknown API paths answer with a problem, never with the app's HTML.
pub async fn unknown_route() -> ApiError {
    Refusal::NotFound.into()
}

/// A known path with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::detail(
        Refusal::MethodNotAllowed,
        "this route does not take this method",
    )
}

/// A path fit for logs: the unguessable ids that give access to a case or a claim
/// (32 hex digits) are left out.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if crate::ids::is_id(segment) {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The span of a request: its id (sent back as `x-request-id`), method and path, on
/// every log line written while it is served.
pub fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
    )
}

/// `/api/uploads/` is `/api/uploads`: some tus clients are configured with a trailing
/// slash. Only API paths are changed (the app's own routes are its business).
pub fn trim_trailing_slash(mut request: Request) -> Request {
    let path = request.uri().path();
    if path.starts_with("/api/") && path.len() > 5 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let rebuilt = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Under the test clock the app reads the server's time from `Date`: it must be the
/// test clock's.
pub fn date_from(clock: &Clock, mut response: Response) -> Response {
    let printer = jiff::fmt::rfc2822::DateTimePrinter::new();
    if let Ok(date) = printer.timestamp_to_rfc9110_string(&clock.now())
        && let Ok(value) = HeaderValue::from_str(&date)
    {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn ids_are_left_out_of_logged_paths() {
        assert_eq!(
            loggable_path("/api/claims/0123456789abcdef0123456789abcdef/choice"),
            "/api/claims/{id}/choice"
        );
        assert_eq!(
            loggable_path("/api/coverage/SN0000000001"),
            "/api/coverage/SN0000000001"
        );
    }
}
