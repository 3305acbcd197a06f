//! The server's one error type, and the one place where it becomes an HTTP answer: RFC
//! 9457 problem+json with the rules crate's stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care_rules::api::Problem;
use care_rules::{FieldRefusal, Refusal};

/// An API error: a refusal the caller can act on, or a fault of ours.
#[derive(Debug)]
pub enum ApiError {
    Refused {
        refusal: Refusal,
        field: Option<String>,
        detail: Option<String>,
    },
    /// `code_product_mismatch`, naming the code's product and the device's, so that
    /// the owner learns which device the card is for.
    ProductMismatch {
        code_product_id: String,
        device_product_id: String,
    },
    /// Too many failed attempts: `rate_limited` with `Retry-After` in seconds.
    RateLimited {
        retry_after: i64,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    /// A refusal caused by one request field, with a sentence on what is wrong.
    pub fn field(
        refusal: Refusal,
        field: impl Into<String>,
        detail: impl Into<String>,
    ) -> ApiError {
        ApiError::Refused {
            refusal,
            field: Some(field.into()),
            detail: Some(detail.into()),
        }
    }

    /// A refusal with a sentence on what is wrong.
    pub fn detail(refusal: Refusal, detail: impl Into<String>) -> ApiError {
        ApiError::Refused {
            refusal,
            field: None,
            detail: Some(detail.into()),
        }
    }

    /// The refusal, when this is one (not an internal fault).
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            ApiError::Refused { refusal, .. } => Some(*refusal),
            ApiError::ProductMismatch { .. } => Some(Refusal::CodeProductMismatch),
            ApiError::RateLimited { .. } => Some(Refusal::RateLimited),
            ApiError::Internal(_) => None,
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::Refused {
            refusal,
            field: None,
            detail: None,
        }
    }
}

impl From<FieldRefusal> for ApiError {
    fn from(r: FieldRefusal) -> Self {
        ApiError::Refused {
            refusal: r.refusal,
            field: Some(r.field.to_owned()),
            detail: None,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

/// The HTTP status of each refusal.
pub fn status_of(refusal: Refusal) -> StatusCode {
    use Refusal::*;
    match refusal {
        CodeNotFound | DeviceNotFound | NotFound => StatusCode::NOT_FOUND,
        CodeAlreadyUsed | InvalidState | OffsetMismatch | OnlinePaymentUnavailable => {
            StatusCode::CONFLICT
        }
        TusVersionUnsupported => StatusCode::PRECONDITION_FAILED,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
        StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        InvalidSignature => StatusCode::BAD_REQUEST,
        // tus' own status for a checksum mismatch.
        ChecksumMismatch => StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Unauthorized => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        InvalidCodeFormat
        | CodeProductMismatch
        | CodeRegionMismatch
        | InvalidSerial
        | VerificationRequired
        | VerificationNotAccepted
        | VerificationWindowClosed
        | ExtensionRequiresAnnualPlan
        | ExtensionWindowClosed
        | CoverageCapExceeded
        | NoReplacementsLeft
        | CoverageNotActive
        | VideoDurationOutOfRange
        | InvalidRequest => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A short English title per refusal; the app shows its own translated text by `code`.
pub fn title_of(refusal: Refusal) -> &'static str {
    use Refusal::*;
    match refusal {
        InvalidCodeFormat => "The code is not a valid Care Refresh code",
        CodeNotFound => "No such code",
        CodeAlreadyUsed => "The code has already been used",
        CodeProductMismatch => "The code is for another product",
        CodeRegionMismatch => "The code is for another region",
        InvalidSerial => "The serial number is not valid",
        DeviceNotFound => "No device with this serial number",
        VerificationRequired => "A verification video is required",
        VerificationNotAccepted => "The verification video has not been accepted",
        VerificationWindowClosed => "The 72-hour activation window has closed",
        ExtensionRequiresAnnualPlan => "Only an annual plan can extend a coverage",
        ExtensionWindowClosed => "The extension window has closed",
        CoverageCapExceeded => "The coverage would exceed 36 months",
        NoReplacementsLeft => "No replacements left",
        CoverageNotActive => "The coverage is not active",
        InvalidRequest => "Invalid request",
        PayloadTooLarge => "The request body is too large",
        UnsupportedMediaType => "Unsupported media type",
        RateLimited => "Too many attempts",
        Unauthorized => "Sign-in required",
        Forbidden => "Not allowed",
        NotFound => "Not found",
        InvalidState => "Not allowed in the current state",
        OffsetMismatch => "The chunk does not start at the upload's offset",
        ChecksumMismatch => "The chunk's checksum does not match; it was discarded",
        TusVersionUnsupported => "Unsupported tus version",
        MethodNotAllowed => "Method not allowed",
        RangeNotSatisfiable => "The range lies outside the file",
        VideoDurationOutOfRange => "The video must be 15 seconds to 10 minutes long",
        StorageFull => "No room to store the video now",
        Unavailable => "Not ready: the database or the storage does not answer",
        OnlinePaymentUnavailable => "Online payment is not offered: pay by transfer",
        InvalidSignature => "The signature is missing, wrong or stale",
    }
}

impl ApiError {
    /// The status and problem+json body of this error.
    fn problem(&self) -> (StatusCode, String) {
        let mut products = None;
        let (refusal, field, detail, retry_after) = match self {
            ApiError::Refused {
                refusal,
                field,
                detail,
            } => (*refusal, field.clone(), detail.clone(), None),
            ApiError::ProductMismatch {
                code_product_id,
                device_product_id,
            } => {
                products = Some((code_product_id.clone(), device_product_id.clone()));
                (
                    Refusal::CodeProductMismatch,
                    Some("code".to_owned()),
                    Some(format!(
                        "the code is for {code_product_id}, the device is {device_product_id}"
                    )),
                    None,
                )
            }
            ApiError::RateLimited { retry_after } => (
                Refusal::RateLimited,
                None,
                Some(format!("try again in {retry_after} s")),
                Some(*retry_after),
            ),
            ApiError::Internal(_) => {
                let body = serde_json::json!({
                    "type": "about:blank",
                    "title": "Internal error",
                    "status": 500,
                });
                return (StatusCode::INTERNAL_SERVER_ERROR, body.to_string());
            }
        };
        let status = status_of(refusal);
        let problem = Problem {
            kind: "about:blank".to_owned(),
            title: title_of(refusal).to_owned(),
            status: status.as_u16(),
            detail,
            code: refusal,
            field,
            retry_after,
            code_product_id: products.as_ref().map(|p| p.0.clone()),
            device_product_id: products.map(|p| p.1),
        };
        (status, serde_json::to_string(&problem).unwrap_or_default())
    }

    /// The problem+json body, as it is sent.
    pub fn problem_json(&self) -> String {
        self.problem().1
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        let (status, body) = self.problem();
        let mut response = problem_response(status, body);
        if let ApiError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// A problem+json answer with a body written before (an idempotent replay).
pub fn problem_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_client_error_status_and_a_title() {
        for &refusal in Refusal::ALL {
            let status = status_of(refusal);
            // The store being full is the server's condition, not the client's mistake.
            assert!(
                status.is_client_error()
                    || matches!(refusal, Refusal::StorageFull | Refusal::Unavailable),
                "{refusal}"
            );
            assert!(!title_of(refusal).is_empty());
        }
        assert_eq!(
            status_of(Refusal::InvalidRequest),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(Refusal::CodeAlreadyUsed), StatusCode::CONFLICT);
        assert_eq!(
            status_of(Refusal::RateLimited),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
