//! The one place where a refusal from the rules or the server becomes a sentence in
//! the user's language.

use crate::i18n::*;
use care_rules::Refusal;
use leptos_i18n::I18nContext;

pub fn message(i18n: I18nContext<Locale>, refusal: Refusal, retry_after: Option<i64>) -> String {
    use Refusal::*;
    match refusal {
        InvalidCodeFormat => t_string!(i18n, refusal_invalid_code_format).to_string(),
        CodeNotFound => t_string!(i18n, refusal_code_not_found).to_string(),
        CodeAlreadyUsed => t_string!(i18n, refusal_code_already_used).to_string(),
        CodeProductMismatch => t_string!(i18n, refusal_code_product_mismatch).to_string(),
        CodeRegionMismatch => t_string!(i18n, refusal_code_region_mismatch).to_string(),
        InvalidSerial => t_string!(i18n, refusal_invalid_serial).to_string(),
        DeviceNotFound => t_string!(i18n, refusal_device_not_found).to_string(),
        VerificationRequired => t_string!(i18n, refusal_verification_required).to_string(),
        VerificationNotAccepted => t_string!(i18n, refusal_verification_not_accepted).to_string(),
        VerificationWindowClosed => t_string!(i18n, refusal_verification_window_closed).to_string(),
        ExtensionRequiresAnnualPlan => {
            t_string!(i18n, refusal_extension_requires_annual_plan).to_string()
        }
        ExtensionWindowClosed => t_string!(i18n, refusal_extension_window_closed).to_string(),
        CoverageCapExceeded => t_string!(i18n, refusal_coverage_cap_exceeded).to_string(),
        NoReplacementsLeft => t_string!(i18n, refusal_no_replacements_left).to_string(),
        CoverageNotActive => t_string!(i18n, refusal_coverage_not_active).to_string(),
        InvalidRequest => t_string!(i18n, refusal_invalid_request).to_string(),
        PayloadTooLarge => t_string!(i18n, refusal_payload_too_large).to_string(),
        UnsupportedMediaType => t_string!(i18n, refusal_unsupported_media_type).to_string(),
        RateLimited => {
            let minutes = retry_after.map_or(15, |s| (s + 59) / 60);
            t_string!(i18n, refusal_rate_limited, minutes).to_string()
        }
        Unauthorized => t_string!(i18n, refusal_unauthorized).to_string(),
        Forbidden => t_string!(i18n, refusal_forbidden).to_string(),
        NotFound => t_string!(i18n, refusal_not_found).to_string(),
        InvalidState => t_string!(i18n, refusal_invalid_state).to_string(),
        OffsetMismatch => t_string!(i18n, refusal_offset_mismatch).to_string(),
        ChecksumMismatch => t_string!(i18n, refusal_checksum_mismatch).to_string(),
        TusVersionUnsupported => t_string!(i18n, refusal_tus_version_unsupported).to_string(),
        MethodNotAllowed => t_string!(i18n, refusal_method_not_allowed).to_string(),
        RangeNotSatisfiable => t_string!(i18n, refusal_range_not_satisfiable).to_string(),
        VideoDurationOutOfRange => t_string!(i18n, refusal_video_duration_out_of_range).to_string(),
        StorageFull => t_string!(i18n, refusal_storage_full).to_string(),
        Unavailable => t_string!(i18n, error_server).to_string(),
        InvalidSignature => t_string!(i18n, error_server).to_string(),
        OnlinePaymentUnavailable => t_string!(i18n, refusal_online_payment_unavailable).to_string(),
    }
}

/// A failed request as a sentence: the refusal's, or that the server failed or
/// cannot be reached.
pub fn api_message(i18n: I18nContext<Locale>, error: &crate::api::ApiError) -> String {
    match error {
        crate::api::ApiError::Refused(problem) => message(i18n, problem.code, problem.retry_after),
        crate::api::ApiError::Server => t_string!(i18n, error_server).to_string(),
        crate::api::ApiError::Network => t_string!(i18n, error_network).to_string(),
    }
}
