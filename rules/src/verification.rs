//! Verification cases (R3): a video staff accepted opens a 72-hour window for one
//! activation.

use crate::refusal::Refusal;
use crate::time::{Timestamp, UPLOAD_WINDOW, VERIFICATION_WINDOW, after};
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

crate::wire_names!(VerificationStatus {
    AwaitingUpload => "awaiting_upload",
    PendingReview => "pending_review",
    Accepted => "accepted",
    Rejected => "rejected",
    Used => "used",
    Expired => "expired",
});

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

crate::wire_names!(RejectReason {
    SerialNotVisible => "serial_not_visible",
    DeviceDamaged => "device_damaged",
    VideoEdited => "video_edited",
    WrongDevice => "wrong_device",
    PoorQuality => "poor_quality",
    Other => "other",
});

/// What the rules need to know of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationCase {
    pub status: VerificationStatus,
    /// When the owner opened it: a video is awaited for 14 days from then.
    pub opened_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
}

impl VerificationCase {
    /// When the activation window of an accepted case closes.
    pub fn activation_deadline(&self) -> Option<Timestamp> {
        self.accepted_at.map(|t| after(t, VERIFICATION_WINDOW))
    }

    /// Until when a case awaits its video.
    pub fn upload_deadline(&self) -> Timestamp {
        after(self.opened_at, UPLOAD_WINDOW)
    }

    /// The status at `now`: an accepted case whose 72 hours have passed, or a case still
    /// awaiting its video 14 days after it was opened, is `expired`.
    pub fn status_at(&self, now: Timestamp) -> VerificationStatus {
        match (self.status, self.activation_deadline()) {
            (VerificationStatus::Accepted, Some(deadline)) if now >= deadline => {
                VerificationStatus::Expired
            }
            (VerificationStatus::AwaitingUpload, _) if now >= self.upload_deadline() => {
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
                ..*self
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
                ..*self
            }),
            VerificationStatus::PendingReview => Ok(VerificationCase {
                status: VerificationStatus::Rejected,
                accepted_at: None,
                ..*self
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

/// The verification video's limits (spec §5): the browser checks them before sending,
/// the server again when the upload is created and when it has arrived.
pub mod video {
    /// 2 GiB, tus' `Tus-Max-Size`.
    pub const MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;
    /// Shortest and longest video, in seconds.
    pub const MIN_SECONDS: f64 = 15.0;
    pub const MAX_SECONDS: f64 = 600.0;
    /// MP4 and MOV, by media type and by file name.
    pub const TYPES: [&str; 2] = ["video/mp4", "video/quicktime"];
    pub const EXTENSIONS: [&str; 2] = [".mp4", ".mov"];

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Problem {
        WrongType,
        TooLarge,
        TooShort,
        TooLong,
    }

    /// The media type of a file from what its client declares (`filetype`), or else
    /// from its name; `None` when it is not an MP4 or MOV.
    pub fn media_type(declared: Option<&str>, name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        match declared.filter(|t| !t.is_empty()) {
            Some(t) => TYPES.into_iter().find(|known| *known == t),
            None if lower.ends_with(".mov") => Some("video/quicktime"),
            None if lower.ends_with(".mp4") => Some("video/mp4"),
            None => None,
        }
    }

    /// The checks a file must pass before it is sent: type, size and, when known,
    /// duration in seconds.
    pub fn check(name: &str, mime: &str, bytes: u64, duration: Option<f64>) -> Result<(), Problem> {
        if media_type(Some(mime), name).is_none() {
            return Err(Problem::WrongType);
        }
        if bytes > MAX_BYTES {
            return Err(Problem::TooLarge);
        }
        check_duration(duration)
    }

    /// A known duration must lie within 15 s to 10 min; an unknown one is judged by
    /// the server, which reads the container.
    pub fn check_duration(seconds: Option<f64>) -> Result<(), Problem> {
        match seconds {
            Some(d) if d < MIN_SECONDS => Err(Problem::TooShort),
            Some(d) if d > MAX_SECONDS => Err(Problem::TooLong),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::video::{self, Problem};
    use super::*;

    #[test]
    fn videos_are_checked_for_type_size_and_duration() {
        let gib2 = video::MAX_BYTES;
        assert_eq!(
            video::check("a.mp4", "video/mp4", 1_000_000, Some(30.0)),
            Ok(())
        );
        assert_eq!(video::check("a.MOV", "", 1_000_000, None), Ok(()));
        assert_eq!(
            video::check("a.png", "image/png", 1, None),
            Err(Problem::WrongType)
        );
        assert_eq!(
            video::check("a.webm", "video/webm", 1, Some(30.0)),
            Err(Problem::WrongType)
        );
        assert_eq!(video::check("a.mp4", "video/mp4", gib2, Some(30.0)), Ok(()));
        assert_eq!(
            video::check("a.mp4", "video/mp4", gib2 + 1, Some(30.0)),
            Err(Problem::TooLarge)
        );
        assert_eq!(
            video::check("a.mp4", "video/mp4", 1, Some(14.9)),
            Err(Problem::TooShort)
        );
        assert_eq!(video::check("a.mp4", "video/mp4", 1, Some(15.0)), Ok(()));
        assert_eq!(video::check("a.mp4", "video/mp4", 1, Some(600.0)), Ok(()));
        assert_eq!(
            video::check("a.mp4", "video/mp4", 1, Some(600.5)),
            Err(Problem::TooLong)
        );
        assert_eq!(video::media_type(None, "clip.MOV"), Some("video/quicktime"));
        assert_eq!(video::media_type(Some("video/mp4"), "x"), Some("video/mp4"));
        assert_eq!(video::media_type(Some("video/webm"), "x.mp4"), None);
    }
    use crate::time::tests::at;
    use jiff::SignedDuration;

    const SECOND: SignedDuration = SignedDuration::from_secs(1);

    fn accepted(at_: &str) -> VerificationCase {
        VerificationCase {
            opened_at: at(at_),
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
    fn a_case_awaits_its_video_14_days_to_the_second() {
        let opened = at("2026-11-01T10:00:00Z");
        let case = VerificationCase {
            status: VerificationStatus::AwaitingUpload,
            opened_at: opened,
            accepted_at: None,
        };
        let deadline = at("2026-11-15T10:00:00Z");
        assert_eq!(case.upload_deadline(), deadline);
        assert_eq!(
            case.status_at(deadline - SECOND),
            VerificationStatus::AwaitingUpload
        );
        assert_eq!(case.status_at(deadline), VerificationStatus::Expired);
        assert_eq!(
            case.status_at(deadline + SECOND),
            VerificationStatus::Expired
        );
        // A case under review waits for staff however long it takes.
        let pending = VerificationCase {
            status: VerificationStatus::PendingReview,
            ..case
        };
        assert_eq!(
            pending.status_at(deadline + SECOND),
            VerificationStatus::PendingReview
        );
    }

    #[test]
    fn a_case_goes_from_upload_to_review_to_a_decision_once() {
        let now = at("2026-11-24T10:00:00Z");
        let new = VerificationCase {
            opened_at: now,
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
                opened_at: now,
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
            opened_at: now,
            status: VerificationStatus::Used,
            accepted_at: Some(now),
        };
        assert_eq!(used.admit(now), Err(Refusal::VerificationNotAccepted));
        let expired = VerificationCase {
            opened_at: now,
            status: VerificationStatus::Expired,
            accepted_at: Some(now),
        };
        assert_eq!(expired.admit(now), Err(Refusal::VerificationWindowClosed));
    }
}
