//! Why the portal says no: one enum whose variants are the API error `code`s: those of
//! the spec (§6), and nine the workflows, resumable uploads, HTTP and online payment
//! need (`invalid_state`, `offset_mismatch`, `checksum_mismatch`,
//! `tus_version_unsupported`, `method_not_allowed`, `range_not_satisfiable`,
//! `unavailable`, `online_payment_unavailable`, `invalid_signature`). The server maps
//! it to problem+json in one place, the app to a translated message in one place.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    InvalidCodeFormat,
    CodeNotFound,
    CodeAlreadyUsed,
    CodeProductMismatch,
    CodeRegionMismatch,
    InvalidSerial,
    DeviceNotFound,
    VerificationRequired,
    VerificationNotAccepted,
    VerificationWindowClosed,
    ExtensionRequiresAnnualPlan,
    ExtensionWindowClosed,
    CoverageCapExceeded,
    NoReplacementsLeft,
    CoverageNotActive,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Unauthorized,
    Forbidden,
    NotFound,
    /// The case or claim is not in a state that allows this step.
    InvalidState,
    /// A resumable upload's chunk does not start at the stored offset (tus: 409).
    OffsetMismatch,
    /// A chunk's checksum does not match its bytes; the chunk is discarded (tus: 460).
    ChecksumMismatch,
    /// The client speaks another tus version (tus: 412).
    TusVersionUnsupported,
    /// The route exists but not with this method (405).
    MethodNotAllowed,
    /// A `Range` outside the video (416).
    RangeNotSatisfiable,
    /// The video's length is outside 15 s to 10 min, as its container says.
    VideoDurationOutOfRange,
    /// The upload store or its quota is full (507).
    StorageFull,
    /// The database or the storage does not answer: not ready to serve (503).
    Unavailable,
    /// No online payment provider is configured: pay by transfer (409).
    OnlinePaymentUnavailable,
    /// A webhook's signature is missing, wrong or stale (400).
    InvalidSignature,
}

crate::wire_names!(Refusal {
    InvalidCodeFormat => "invalid_code_format",
    CodeNotFound => "code_not_found",
    CodeAlreadyUsed => "code_already_used",
    CodeProductMismatch => "code_product_mismatch",
    CodeRegionMismatch => "code_region_mismatch",
    InvalidSerial => "invalid_serial",
    DeviceNotFound => "device_not_found",
    VerificationRequired => "verification_required",
    VerificationNotAccepted => "verification_not_accepted",
    VerificationWindowClosed => "verification_window_closed",
    ExtensionRequiresAnnualPlan => "extension_requires_annual_plan",
    ExtensionWindowClosed => "extension_window_closed",
    CoverageCapExceeded => "coverage_cap_exceeded",
    NoReplacementsLeft => "no_replacements_left",
    CoverageNotActive => "coverage_not_active",
    InvalidRequest => "invalid_request",
    PayloadTooLarge => "payload_too_large",
    UnsupportedMediaType => "unsupported_media_type",
    RateLimited => "rate_limited",
    Unauthorized => "unauthorized",
    Forbidden => "forbidden",
    NotFound => "not_found",
    InvalidState => "invalid_state",
    OffsetMismatch => "offset_mismatch",
    ChecksumMismatch => "checksum_mismatch",
    TusVersionUnsupported => "tus_version_unsupported",
    MethodNotAllowed => "method_not_allowed",
    RangeNotSatisfiable => "range_not_satisfiable",
    VideoDurationOutOfRange => "video_duration_out_of_range",
    StorageFull => "storage_full",
    Unavailable => "unavailable",
    OnlinePaymentUnavailable => "online_payment_unavailable",
    InvalidSignature => "invalid_signature",
});

impl std::error::Error for Refusal {}

/// A refusal caused by one field of a request (`customer.email`), so that the API can
/// name the field and the app can show the message next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRefusal {
    pub field: &'static str,
    pub refusal: Refusal,
}

impl FieldRefusal {
    pub fn new(field: &'static str, refusal: Refusal) -> Self {
        FieldRefusal { field, refusal }
    }
}

impl fmt::Display for FieldRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.refusal)
    }
}

impl std::error::Error for FieldRefusal {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The codes the spec's §6 names, written out again so that a renamed variant fails.
    const SPEC_CODES: [&str; 24] = [
        "invalid_code_format",
        "code_not_found",
        "code_already_used",
        "code_product_mismatch",
        "code_region_mismatch",
        "invalid_serial",
        "device_not_found",
        "verification_required",
        "verification_not_accepted",
        "verification_window_closed",
        "extension_requires_annual_plan",
        "extension_window_closed",
        "coverage_cap_exceeded",
        "no_replacements_left",
        "coverage_not_active",
        "invalid_request",
        "payload_too_large",
        "unsupported_media_type",
        "rate_limited",
        "unauthorized",
        "forbidden",
        "not_found",
        "video_duration_out_of_range",
        "storage_full",
    ];

    /// Codes beyond the spec's list, for workflow steps, resumable uploads and online
    /// payment.
    const EXTRA_CODES: [&str; 9] = [
        "invalid_state",
        "offset_mismatch",
        "checksum_mismatch",
        "tus_version_unsupported",
        "method_not_allowed",
        "range_not_satisfiable",
        "unavailable",
        "online_payment_unavailable",
        "invalid_signature",
    ];

    #[test]
    fn every_variant_is_one_spec_code_and_serde_agrees() {
        let codes: HashSet<&str> = Refusal::ALL.iter().map(|r| r.as_str()).collect();
        let expected: HashSet<&str> = SPEC_CODES.into_iter().chain(EXTRA_CODES).collect();
        assert_eq!(codes, expected);
        assert_eq!(codes.len(), Refusal::ALL.len());
        crate::wire::assert_serde_agrees(Refusal::ALL, Refusal::as_str);
    }

    #[test]
    fn an_unknown_code_does_not_parse() {
        assert!(serde_json::from_str::<Refusal>("\"teapot\"").is_err());
    }
}
