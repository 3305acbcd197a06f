//! The uploader's states and the decisions between them, apart from the view and from
//! the browser's APIs (so they are plain functions a test can call).

use super::tus::TusError;
use care_rules::verification::video;

/// 8 MiB: big enough to be fast, small enough that a drop loses little.
pub const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;

/// Where sending stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    Sending,
    Paused,
    /// Waiting this many seconds before trying again.
    Retrying(u32),
    Done,
    Failed(Failure),
}

/// Why sending stopped for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server refused with this status.
    Refused(u16),
    /// The browser could not read the file.
    Unreadable,
}

/// What is known of the chosen file.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    Nothing,
    Checking,
    Ready {
        name: String,
        bytes: f64,
        seconds: Option<f64>,
    },
    Problem(video::Problem),
    /// The browser cannot play the file, so its length is unknown: a reviewer's
    /// browser could not play it either.
    Unreadable,
    /// Another file than the one whose upload was interrupted.
    OtherFile,
}

/// A file as the browser describes it: enough to tell it is the same one again.
#[derive(Debug, Clone, PartialEq)]
pub struct FileIdentity {
    pub name: String,
    pub size: f64,
    pub modified: f64,
}

/// The check of a chosen file: the rules' limits, and whether it is the file of an
/// interrupted upload (which must be chosen again to resume).
pub fn check(
    file: &FileIdentity,
    mime: &str,
    seconds: Option<f64>,
    interrupted: Option<&FileIdentity>,
) -> Checked {
    match video::check(&file.name, mime, file.size as u64, seconds) {
        Err(problem) => Checked::Problem(problem),
        Ok(()) if seconds.is_none() => Checked::Unreadable,
        Ok(()) if interrupted.is_some_and(|i| i != file) => Checked::OtherFile,
        Ok(()) => Checked::Ready {
            name: file.name.clone(),
            bytes: file.size,
            seconds,
        },
    }
}

/// Seconds to wait before attempt number `attempt`: 1, 2, 4, 8, 15, then 30.
pub fn retry_delay(attempt: u32) -> u32 {
    [1u32, 2, 4, 8, 15, 30][(attempt.max(1) as usize - 1).min(5)]
}

/// The next chunk from `offset` of a file of `size` bytes, or `None` when all is sent.
pub fn next_chunk(offset: f64, size: f64) -> Option<(f64, f64)> {
    (offset < size).then(|| (offset, (offset + CHUNK).min(size)))
}

/// What to do after a chunk was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterChunk {
    /// Stored: go on from the server's offset.
    Continue,
    /// The offset moved (another tab, a lost answer): ask the server again.
    AskOffset,
    /// A dropped or stalled connection, or the server's fault: wait and try again.
    Retry,
    /// Paused by the owner.
    Stop,
    /// Refused for good (the upload is forgotten).
    Fail(Failure),
}

pub fn after_chunk(outcome: &Result<f64, TusError>) -> AfterChunk {
    match outcome {
        Ok(_) => AfterChunk::Continue,
        Err(TusError::Aborted) => AfterChunk::Stop,
        Err(TusError::Status(409, _)) => AfterChunk::AskOffset,
        Err(TusError::Status(status, _)) if *status < 500 => {
            AfterChunk::Fail(Failure::Refused(*status))
        }
        Err(_) => AfterChunk::Retry,
    }
}

/// The speed shown: the newest measurement weighed with the ones before, so that one
/// fast burst into the network's buffers does not read as the link's speed.
pub fn smoothed_speed(previous: f64, measured: f64) -> f64 {
    if previous <= 0.0 {
        measured
    } else {
        previous * 0.7 + measured * 0.3
    }
}

/// A share in whole percent, floored and bounded.
pub fn percent(done: f64, all: f64) -> u32 {
    if all <= 0.0 {
        0
    } else {
        ((done / all) * 100.0).floor().clamp(0.0, 100.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: f64) -> FileIdentity {
        FileIdentity {
            name: name.to_owned(),
            size,
            modified: 1.0,
        }
    }

    #[test]
    fn a_file_is_checked_by_the_rules_and_against_the_interrupted_one() {
        let clip = file("clip.mp4", 1e6);
        assert!(matches!(
            check(&clip, "video/mp4", Some(30.0), None),
            Checked::Ready { .. }
        ));
        assert_eq!(
            check(&clip, "video/mp4", Some(5.0), None),
            Checked::Problem(video::Problem::TooShort)
        );
        assert_eq!(
            check(&file("a.png", 1.0), "image/png", None, None),
            Checked::Problem(video::Problem::WrongType)
        );
        // A length the browser cannot read stops the file here, not at the server.
        assert_eq!(check(&clip, "video/mp4", None, None), Checked::Unreadable);
        assert_eq!(
            check(
                &clip,
                "video/mp4",
                Some(30.0),
                Some(&file("other.mp4", 1e6))
            ),
            Checked::OtherFile
        );
        assert!(matches!(
            check(&clip, "video/mp4", Some(30.0), Some(&clip)),
            Checked::Ready { .. }
        ));
    }

    #[test]
    fn chunks_cover_the_file_and_retries_back_off() {
        assert_eq!(next_chunk(0.0, 10.0), Some((0.0, 10.0)));
        assert_eq!(next_chunk(0.0, CHUNK * 2.5), Some((0.0, CHUNK)));
        assert_eq!(next_chunk(10.0, 10.0), None);
        let delays: Vec<u32> = (0..8).map(retry_delay).collect();
        assert_eq!(delays, [1, 1, 2, 4, 8, 15, 30, 30]);
    }

    #[test]
    fn a_chunk_s_outcome_decides_what_comes_next() {
        assert_eq!(after_chunk(&Ok(5.0)), AfterChunk::Continue);
        assert_eq!(after_chunk(&Err(TusError::Aborted)), AfterChunk::Stop);
        assert_eq!(after_chunk(&Err(TusError::Network)), AfterChunk::Retry);
        assert_eq!(
            after_chunk(&Err(TusError::Status(409, String::new()))),
            AfterChunk::AskOffset
        );
        assert_eq!(
            after_chunk(&Err(TusError::Status(415, String::new()))),
            AfterChunk::Fail(Failure::Refused(415))
        );
        assert_eq!(
            after_chunk(&Err(TusError::Status(503, String::new()))),
            AfterChunk::Retry
        );
    }

    #[test]
    fn speed_follows_the_link_not_a_burst() {
        assert_eq!(smoothed_speed(0.0, 30_000.0), 30_000.0);
        let after_burst = smoothed_speed(30_000.0, 8_000_000.0);
        assert!(after_burst < 2_500_000.0, "{after_burst}");
    }

    #[test]
    fn percent_is_floored_and_bounded() {
        assert_eq!(percent(0.0, 0.0), 0);
        assert_eq!(percent(999.0, 1000.0), 99);
        assert_eq!(percent(1000.0, 1000.0), 100);
    }
}
