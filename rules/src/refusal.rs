//! Why the portal says no: one enum whose variants are the API error `code`s: those of
//! the spec (§6), and four the workflows and resumable uploads need (`invalid_state`,
//! `offset_mismatch`, `checksum_mismatch`, `tus_version_unsupported`). The server maps
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
}

impl Refusal {
    pub const ALL: [Refusal; 26] = [
        Refusal::InvalidCodeFormat,
        Refusal::CodeNotFound,
        Refusal::CodeAlreadyUsed,
        Refusal::CodeProductMismatch,
        Refusal::CodeRegionMismatch,
        Refusal::InvalidSerial,
        Refusal::DeviceNotFound,
        Refusal::VerificationRequired,
        Refusal::VerificationNotAccepted,
        Refusal::VerificationWindowClosed,
        Refusal::ExtensionRequiresAnnualPlan,
        Refusal::ExtensionWindowClosed,
        Refusal::CoverageCapExceeded,
        Refusal::NoReplacementsLeft,
        Refusal::CoverageNotActive,
        Refusal::InvalidRequest,
        Refusal::PayloadTooLarge,
        Refusal::UnsupportedMediaType,
        Refusal::RateLimited,
        Refusal::Unauthorized,
        Refusal::Forbidden,
        Refusal::NotFound,
        Refusal::InvalidState,
        Refusal::OffsetMismatch,
        Refusal::ChecksumMismatch,
        Refusal::TusVersionUnsupported,
    ];

    /// The stable machine-readable `code`, the same string serde writes.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::InvalidCodeFormat => "invalid_code_format",
            Refusal::CodeNotFound => "code_not_found",
            Refusal::CodeAlreadyUsed => "code_already_used",
            Refusal::CodeProductMismatch => "code_product_mismatch",
            Refusal::CodeRegionMismatch => "code_region_mismatch",
            Refusal::InvalidSerial => "invalid_serial",
            Refusal::DeviceNotFound => "device_not_found",
            Refusal::VerificationRequired => "verification_required",
            Refusal::VerificationNotAccepted => "verification_not_accepted",
            Refusal::VerificationWindowClosed => "verification_window_closed",
            Refusal::ExtensionRequiresAnnualPlan => "extension_requires_annual_plan",
            Refusal::ExtensionWindowClosed => "extension_window_closed",
            Refusal::CoverageCapExceeded => "coverage_cap_exceeded",
            Refusal::NoReplacementsLeft => "no_replacements_left",
            Refusal::CoverageNotActive => "coverage_not_active",
            Refusal::InvalidRequest => "invalid_request",
            Refusal::PayloadTooLarge => "payload_too_large",
            Refusal::UnsupportedMediaType => "unsupported_media_type",
            Refusal::RateLimited => "rate_limited",
            Refusal::Unauthorized => "unauthorized",
            Refusal::Forbidden => "forbidden",
            Refusal::NotFound => "not_found",
            Refusal::InvalidState => "invalid_state",
            Refusal::OffsetMismatch => "offset_mismatch",
            Refusal::ChecksumMismatch => "checksum_mismatch",
            Refusal::TusVersionUnsupported => "tus_version_unsupported",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

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
    const SPEC_CODES: [&str; 22] = [
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
    ];

    /// Codes beyond the spec's list, for workflow steps and resumable uploads.
    const EXTRA_CODES: [&str; 4] = [
        "invalid_state",
        "offset_mismatch",
        "checksum_mismatch",
        "tus_version_unsupported",
    ];

    #[test]
    fn every_variant_is_one_spec_code_and_serde_agrees() {
        let codes: HashSet<&str> = Refusal::ALL.iter().map(|r| r.code()).collect();
        let expected: HashSet<&str> = SPEC_CODES.into_iter().chain(EXTRA_CODES).collect();
        assert_eq!(codes, expected);
        assert_eq!(codes.len(), Refusal::ALL.len());
        for refusal in Refusal::ALL {
            let json = serde_json::to_string(&refusal).expect("serialises");
            assert_eq!(json, format!("\"{}\"", refusal.code()));
            let back: Refusal = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, refusal);
        }
    }

    #[test]
    fn an_unknown_code_does_not_parse() {
        assert!(serde_json::from_str::<Refusal>("\"teapot\"").is_err());
    }
}
