//! A case's state and a rejection's reason in the reader's language, for the owner's
//! pages and the staff console.

use crate::i18n::*;
use care_rules::{RejectReason, VerificationStatus};
use leptos_i18n::I18nContext;

/// A case's state in a word.
pub fn status(i18n: I18nContext<Locale>, status: VerificationStatus) -> String {
    match status {
        VerificationStatus::AwaitingUpload => t_string!(i18n, video_status_awaiting_upload),
        VerificationStatus::PendingReview => t_string!(i18n, video_status_pending_review),
        VerificationStatus::Accepted => t_string!(i18n, video_status_accepted),
        VerificationStatus::Rejected => t_string!(i18n, video_status_rejected),
        VerificationStatus::Used => t_string!(i18n, video_status_used),
        VerificationStatus::Expired => t_string!(i18n, video_status_expired),
    }
    .to_string()
}

/// Why a video was rejected.
pub fn reason(i18n: I18nContext<Locale>, reason: Option<RejectReason>) -> String {
    match reason {
        Some(RejectReason::SerialNotVisible) => t_string!(i18n, reason_serial_not_visible),
        Some(RejectReason::DeviceDamaged) => t_string!(i18n, reason_device_damaged),
        Some(RejectReason::VideoEdited) => t_string!(i18n, reason_video_edited),
        Some(RejectReason::WrongDevice) => t_string!(i18n, reason_wrong_device),
        Some(RejectReason::PoorQuality) => t_string!(i18n, reason_poor_quality),
        Some(RejectReason::Other) | None => t_string!(i18n, reason_other),
    }
    .to_string()
}

/// The badge class of a case's state: waiting (information), accepted or used
/// (success), rejected or expired (danger).
pub fn status_class(status: VerificationStatus) -> &'static str {
    match status {
        VerificationStatus::AwaitingUpload | VerificationStatus::PendingReview => "status info",
        VerificationStatus::Accepted | VerificationStatus::Used => "status success",
        VerificationStatus::Rejected | VerificationStatus::Expired => "status danger",
    }
}
