//! Talking to the server's JSON API: the transport every feature's `api.rs` uses. Every
//! answer teaches the clock the server's time.

use crate::clock;
use care_rules::api::Problem;
use care_rules::{Lang, Refusal};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server said no, with its reason.
    Refused(Problem),
    /// Something failed on the server's side.
    Server,
    /// The server could not be reached.
    Network,
}

impl ApiError {
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            ApiError::Refused(problem) => Some(problem.code),
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Refused(problem) => problem.field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Refused(problem) => write!(f, "{}", problem.code),
            ApiError::Server => f.write_str("server error"),
            ApiError::Network => f.write_str("network error"),
        }
    }
}

impl std::error::Error for ApiError {}

/// A request that has not been answered in this long is given up as a network
/// failure, so that a page never waits in silence on a dead link.
const TIMEOUT_MS: u32 = 15_000;

fn with_lang(builder: RequestBuilder, lang: Lang) -> RequestBuilder {
    builder
        .header("Accept-Language", lang.as_str())
        .abort_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)))
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if let Some(date) = response.headers().get("date") {
        clock::learn(&date);
    }
    let status = response.status();
    if response.ok() {
        response.json::<T>().await.map_err(|_| ApiError::Server)
    } else if status >= 400 {
        // Refusals carry a `code` (507 `storage_full` among them); a bare 500 does not.
        match response.json::<Problem>().await {
            Ok(problem) => Err(ApiError::Refused(problem)),
            Err(_) => Err(ApiError::Server),
        }
    } else {
        Err(ApiError::Server)
    }
}

/// GETs JSON. Public answers may be cached by the browser for a few seconds, but what
/// the app shows must follow the owner's own writes (the coverage right after an
/// activation), so the browser always asks the server again.
pub async fn get<T: DeserializeOwned>(path: &str, lang: Lang) -> Result<T, ApiError> {
    let response = with_lang(Request::get(path), lang)
        .cache(web_sys::RequestCache::NoCache)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    answer(response).await
}

/// POSTs JSON; with an idempotency key a retry after a lost answer is safe.
pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    lang: Lang,
    idempotency_key: Option<&str>,
) -> Result<T, ApiError> {
    let mut builder = with_lang(Request::post(path), lang);
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    let request = builder.json(body).map_err(|_| ApiError::Server)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    answer(response).await
}

/// POSTs without a body to a route that answers `204 No Content`.
pub async fn post_no_content(path: &str, lang: Lang) -> Result<(), ApiError> {
    let response = with_lang(Request::post(path), lang)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(())
    } else {
        answer::<IgnoredAny>(response).await.map(|_| ())
    }
}

/// POSTs JSON to a route that answers `204 No Content`.
pub async fn post_for_no_content<B: Serialize>(
    path: &str,
    body: &B,
    lang: Lang,
) -> Result<(), ApiError> {
    let request = with_lang(Request::post(path), lang)
        .json(body)
        .map_err(|_| ApiError::Server)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(())
    } else {
        answer::<IgnoredAny>(response).await.map(|_| ())
    }
}

/// A fresh random key for one submission (not secret: it only makes retries safe).
pub fn idempotency_key() -> String {
    (0..4)
        .map(|_| {
            format!(
                "{:08x}",
                (js_sys::Math::random() * f64::from(u32::MAX)) as u32
            )
        })
        .collect()
}
