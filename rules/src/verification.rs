//! Verification cases (R3): a video staff accepted opens a 72-hour window for one
//! activation.

use crate::refusal::Refusal;
use crate::time::{Timestamp, VERIFICATION_WINDOW, after};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    AwaitingUpload,
    PendingReview,
    Accepted,
    Rejected,
    Used,
    Expired,
}

/// Why staff rejected a video (spec §5); `Other` comes with a text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    SerialNotVisible,
    DeviceDamaged,
    VideoEdited,
    WrongDevice,
    PoorQuality,
    Other,
}

/// What the rules need to know of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationCase {
    pub status: VerificationStatus,
    pub accepted_at: Option<Timestamp>,
}

impl VerificationCase {
    /// When the activation window of an accepted case closes.
    pub fn activation_deadline(&self) -> Option<Timestamp> {
        self.accepted_at.map(|t| after(t, VERIFICATION_WINDOW))
    }

    /// The status at `now`: an accepted case whose window has closed is `expired`.
    pub fn status_at(&self, now: Timestamp) -> VerificationStatus {
        match (self.status, self.activation_deadline()) {
            (VerificationStatus::Accepted, Some(deadline)) if now >= deadline => {
                VerificationStatus::Expired
            }
            (status, _) => status,
        }
    }

    /// A complete upload with a video container moves the case to review.
    pub fn submit(&self) -> Result<VerificationCase, Refusal> {
        match self.status {
            VerificationStatus::AwaitingUpload => Ok(VerificationCase {
                status: VerificationStatus::PendingReview,
                accepted_at: None,
            }),
            _ => Err(Refusal::InvalidState),
        }
    }

    /// Staff accept (opening the 72-hour window at `now`) or reject a case under review.
    pub fn decide(&self, accept: bool, now: Timestamp) -> Result<VerificationCase, Refusal> {
        match self.status {
            VerificationStatus::PendingReview if accept => Ok(VerificationCase {
                status: VerificationStatus::Accepted,
                accepted_at: Some(now),
            }),
            VerificationStatus::PendingReview => Ok(VerificationCase {
                status: VerificationStatus::Rejected,
                accepted_at: None,
            }),
            _ => Err(Refusal::InvalidState),
        }
    }

    /// Whether the case can carry an activation at `now`.
    pub fn admit(&self, now: Timestamp) -> Result<(), Refusal> {
        match self.status_at(now) {
            VerificationStatus::Accepted => Ok(()),
            VerificationStatus::Expired => Err(Refusal::VerificationWindowClosed),
            _ => Err(Refusal::VerificationNotAccepted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::tests::at;
    use jiff::SignedDuration;

    const SECOND: SignedDuration = SignedDuration::from_secs(1);

    fn accepted(at_: &str) -> VerificationCase {
        VerificationCase {
            status: VerificationStatus::Accepted,
            accepted_at: Some(at(at_)),
        }
    }

    #[test]
    fn the_window_is_72_hours_to_the_second() {
        let case = accepted("2026-11-24T10:00:00Z");
        let deadline = at("2026-11-27T10:00:00Z");
        assert_eq!(case.activation_deadline(), Some(deadline));
        assert_eq!(case.admit(deadline - SECOND), Ok(()));
        assert_eq!(case.admit(deadline), Err(Refusal::VerificationWindowClosed));
        assert_eq!(
            case.admit(deadline + SECOND),
            Err(Refusal::VerificationWindowClosed)
        );
        assert_eq!(
            case.status_at(deadline - SECOND),
            VerificationStatus::Accepted
        );
        assert_eq!(case.status_at(deadline), VerificationStatus::Expired);
    }

    #[test]
    fn a_case_goes_from_upload_to_review_to_a_decision_once() {
        let now = at("2026-11-24T10:00:00Z");
        let new = VerificationCase {
            status: VerificationStatus::AwaitingUpload,
            accepted_at: None,
        };
        assert_eq!(new.decide(true, now), Err(Refusal::InvalidState));
        let pending = new.submit().expect("submitted");
        assert_eq!(pending.status, VerificationStatus::PendingReview);
        assert_eq!(pending.submit(), Err(Refusal::InvalidState));
        let accepted = pending.decide(true, now).expect("decided");
        assert_eq!(accepted.accepted_at, Some(now));
        assert_eq!(
            accepted.activation_deadline(),
            Some(at("2026-11-27T10:00:00Z"))
        );
        assert_eq!(accepted.decide(false, now), Err(Refusal::InvalidState));
        let rejected = pending.decide(false, now).expect("decided");
        assert_eq!(rejected.status, VerificationStatus::Rejected);
        assert_eq!(rejected.admit(now), Err(Refusal::VerificationNotAccepted));
    }

    #[test]
    fn only_an_accepted_case_admits() {
        let now = at("2026-11-24T10:00:00Z");
        for status in [
            VerificationStatus::AwaitingUpload,
            VerificationStatus::PendingReview,
            VerificationStatus::Rejected,
            VerificationStatus::Used,
        ] {
            let case = VerificationCase {
                status,
                accepted_at: None,
            };
            assert_eq!(
                case.admit(now),
                Err(Refusal::VerificationNotAccepted),
                "{status:?}"
            );
        }
        let used = VerificationCase {
            status: VerificationStatus::Used,
            accepted_at: Some(now),
        };
        assert_eq!(used.admit(now), Err(Refusal::VerificationNotAccepted));
        let expired = VerificationCase {
            status: VerificationStatus::Expired,
            accepted_at: Some(now),
        };
        assert_eq!(expired.admit(now), Err(Refusal::VerificationWindowClosed));
    }
}
