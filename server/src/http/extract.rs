//! Request extractors that refuse bad input with a problem naming what is wrong:
//! a JSON body (type, size, shape), the client's address, its language.

use crate::http::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum_client_ip::ClientIp;
use care_rules::{Lang, Refusal};
use serde::de::DeserializeOwned;
use std::net::IpAddr;

/// Bodies of JSON routes are capped at this size (uploads have their own route).
pub const JSON_BODY_LIMIT: usize = 16 * 1024;

/// A JSON body: `application/json` (else 415), at most [`JSON_BODY_LIMIT`] bytes (else
/// 413), and of the expected shape (else 422 `invalid_request` naming the field).
pub struct ApiJson<T> {
    pub value: T,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::field(
                Refusal::UnsupportedMediaType,
                "Content-Type",
                "send the body as application/json",
            ));
        }
        let raw = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::field(
                    Refusal::PayloadTooLarge,
                    "body",
                    format!("the body is larger than {JSON_BODY_LIMIT} bytes"),
                )
            } else {
                ApiError::field(Refusal::InvalidRequest, "body", e.body_text())
            }
        })?;
        let value = parse_json(&raw)?;
        Ok(ApiJson { value })
    }
}

/// Parses JSON, naming the field at fault: `customer.email` for a wrong type,
/// `customer.nickname` for an unknown field, `code` for a missing one.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // `?` stands for a key the parser never read (a syntax error inside an object).
        let path = e
            .path()
            .to_string()
            .split('.')
            .filter(|segment| *segment != "?" && !segment.is_empty())
            .collect::<Vec<_>>()
            .join(".");
        let path = if path.is_empty() {
            ".".to_owned()
        } else {
            path
        };
        let inner = e.into_inner();
        let message = inner.to_string();
        let named = ["unknown field `", "missing field `"]
            .iter()
            .find_map(|prefix| message.strip_prefix(prefix))
            .and_then(|rest| rest.split('`').next());
        let field = match (named, path.as_str()) {
            (Some(name), ".") => name.to_owned(),
            (Some(name), parent) if !path.ends_with(name) => format!("{parent}.{name}"),
            (_, ".") => "body".to_owned(),
            _ => path,
        };
        let detail = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        ApiError::field(Refusal::InvalidRequest, field, detail)
    })
}

/// A query string of the expected shape: else 422 `invalid_request` naming what is
/// wrong (axum's own `Query` would answer 400 in plain text).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::field(Refusal::InvalidRequest, "query", e.body_text()))
    }
}

/// The client's address, the key of the per-client rate limits: the connection's peer,
/// or behind a load balancer the header it sets (`CARE_CLIENT_IP`, read by
/// axum-client-ip). A request without that header did not come through the load
/// balancer and is refused rather than counted under a shared or forged address.
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match ClientIp::from_request_parts(parts, state).await {
            Ok(ClientIp(ip)) => Ok(ClientAddr(ip)),
            Err(rejection) => {
                tracing::warn!(%rejection, "a request without the client's address");
                Err(ApiError::detail(
                    Refusal::InvalidRequest,
                    format!("the client's address is missing: {rejection}"),
                ))
            }
        }
    }
}

/// The language the client prefers, from `Accept-Language`: English when it ranks
/// English above Polish, Polish otherwise.
pub struct PreferredLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PreferredLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(PreferredLang(lang_from_accept_language(header)))
    }
}

pub fn lang_from_accept_language(header: &str) -> Lang {
    let weight = |tag: &str| {
        header
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let lang = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (lang == tag || lang.starts_with(&format!("{tag}-"))).then_some(q)
            })
            .fold(0.0f32, f32::max)
    };
    if weight("en") > weight("pl") {
        Lang::En
    } else {
        Lang::Pl
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        code: String,
        customer: Customer,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Customer {
        email: String,
    }

    fn field_of(json: &str) -> String {
        match parse_json::<Body>(json.as_bytes()) {
            Err(ApiError::Refused {
                refusal: Refusal::InvalidRequest,
                field: Some(field),
                ..
            }) => field,
            other => panic!("expected invalid_request, got {other:?}"),
        }
    }

    #[test]
    fn names_the_field_at_fault() {
        assert_eq!(
            field_of(r#"{"code": 1, "customer": {"email": "a"}}"#),
            "code"
        );
        assert_eq!(
            field_of(r#"{"code": "x", "customer": {"email": 5}}"#),
            "customer.email"
        );
        assert_eq!(
            field_of(r#"{"code": "x", "customer": {"email": "a", "age": 3}}"#),
            "customer.age"
        );
        assert_eq!(
            field_of(r#"{"code": "x", "customer": {"email": "a"}, "x": 1}"#),
            "x"
        );
        assert_eq!(field_of(r#"{"customer": {"email": "a"}}"#), "code");
        assert_eq!(
            field_of(r#"{"code": "x", "customer": {}}"#),
            "customer.email"
        );
        assert_eq!(field_of("not json"), "body");
        assert_eq!(field_of("{not json"), "body");
        assert_eq!(
            field_of(r#"{"code": "x", "customer": {"email": "a",}}"#),
            "customer"
        );
    }

    #[test]
    fn picks_the_language_by_preference() {
        assert_eq!(lang_from_accept_language(""), Lang::Pl);
        assert_eq!(lang_from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(
            lang_from_accept_language("pl-PL,pl;q=0.9,en;q=0.8"),
            Lang::Pl
        );
        assert_eq!(lang_from_accept_language("en;q=0.5,pl;q=0.4"), Lang::En);
        assert_eq!(lang_from_accept_language("de-DE"), Lang::Pl);
        assert_eq!(lang_from_accept_language("english"), Lang::Pl);
    }
}
