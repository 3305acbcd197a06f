//! The server's clock. The rules have none: every decision gets `now` from here.
//! Instants are whole seconds, the precision the rules and the database keep.

use care_rules::Timestamp;
use jiff::SignedDuration;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone)]
pub enum Clock {
    System,
    /// Stands still at a second and moves only when advanced (`/api/test-clock`).
    Test(Arc<AtomicI64>),
}

impl Clock {
    /// A test clock set to the current second.
    pub fn test() -> Clock {
        Clock::Test(Arc::new(AtomicI64::new(Timestamp::now().as_second())))
    }

    pub fn now(&self) -> Timestamp {
        let second = match self {
            Clock::System => Timestamp::now().as_second(),
            Clock::Test(at) => at.load(Ordering::SeqCst),
        };
        Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Moves a test clock; `None` for the system clock or out-of-range instants.
    pub fn advance(&self, by: SignedDuration) -> Option<Timestamp> {
        let Clock::Test(at) = self else { return None };
        let seconds = by.as_secs();
        let now = at.load(Ordering::SeqCst);
        let target = Timestamp::from_second(now.checked_add(seconds)?).ok()?;
        at.fetch_add(seconds, Ordering::SeqCst);
        Some(target)
    }

    pub fn is_test(&self) -> bool {
        matches!(self, Clock::Test(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_stands_still_until_advanced() {
        let clock = Clock::test();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        let later = clock
            .advance(SignedDuration::from_hours(72))
            .expect("a test clock moves");
        assert_eq!(later, start + SignedDuration::from_hours(72));
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn the_system_clock_cannot_be_advanced() {
        assert!(
            Clock::System
                .advance(SignedDuration::from_secs(1))
                .is_none()
        );
        assert!(!Clock::System.is_test());
    }

    #[test]
    fn a_test_clock_refuses_to_leave_representable_time() {
        let clock = Clock::test();
        let start = clock.now();
        assert!(
            clock
                .advance(SignedDuration::from_secs(i64::MAX / 2))
                .is_none()
        );
        assert_eq!(clock.now(), start);
    }
}
