//! Instants, the rules' fixed durations, calendar-month arithmetic, and how deadlines
//! are shown in Europe/Warsaw. There is no clock here: callers pass `now`.

use crate::lang::Lang;
use jiff::SignedDuration;
use jiff::civil::Date;
use jiff::tz::{self, TimeZone};

pub use jiff::Timestamp;

/// R2: a device activated less than this long ago can get a plan without a video.
pub const DIRECT_ACTIVATION_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);
/// R3: an accepted video must be followed by an activation within this.
pub const VERIFICATION_WINDOW: SignedDuration = SignedDuration::from_hours(72);
/// A verification case awaits its video this long, then expires (spec §5).
pub const UPLOAD_WINDOW: SignedDuration = SignedDuration::from_hours(14 * 24);
/// R5: after coverage ends it can still be extended for this long.
pub const EXTENSION_GRACE: SignedDuration = SignedDuration::from_hours(15 * 24);
/// R6: a chain spans at most this many calendar months from its first start.
pub const CAP_MONTHS: i32 = 36;
/// R9: how long the warranty reward extends the manufacturer warranty.
pub const WARRANTY_REWARD_MONTHS: i32 = 12;

/// The zone every deadline is shown in, compiled in (no tz database is shipped).
static WARSAW: TimeZone = tz::get!("Europe/Warsaw");

/// `t` plus exact hours (a day is 24 h), saturating at the end of representable time.
pub fn after(t: Timestamp, duration: SignedDuration) -> Timestamp {
    t.checked_add(duration)
        .unwrap_or(if duration.is_negative() {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// `t` plus calendar months on the UTC instant (R4): the day of month is kept, and a
/// day the target month lacks (the 31st, 29 February) falls back to its last day.
/// Built from the civil fields rather than with jiff's span arithmetic, whose `expect`
/// on overflow takes jiff's whole error formatting (about 60 KB of the Wasm, every
/// message of its parsers) into each browser bundle that shows a deadline.
pub fn add_months(t: Timestamp, months: i32) -> Timestamp {
    let beyond = if months < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    };
    let at = TimeZone::UTC.to_datetime(t);
    let index = i64::from(at.year()) * 12 + i64::from(at.month()) - 1 + i64::from(months);
    let (Ok(year), Ok(month)) = (
        i16::try_from(index.div_euclid(12)),
        i8::try_from(index.rem_euclid(12) + 1),
    ) else {
        return beyond;
    };
    let Ok(first) = Date::new(year, month, 1) else {
        return beyond;
    };
    Date::new(year, month, at.day().min(first.days_in_month()))
        .ok()
        .and_then(|date| TimeZone::UTC.to_timestamp(date.to_datetime(at.time())).ok())
        .unwrap_or(beyond)
}

/// A deadline as people in Poland read it: `24.11.2026, 15:30` in Polish,
/// `24 Nov 2026, 15:30` in English, always in Europe/Warsaw time. Formatted from the
/// civil fields rather than with `strftime`, which would add its whole formatter to
/// the browser bundle.
pub fn warsaw_display(t: Timestamp, lang: Lang) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = t.to_zoned_datetime(WARSAW.clone()).datetime();
    let (day, month, year) = (local.day(), local.month(), local.year());
    let (hour, minute) = (local.hour(), local.minute());
    match lang {
        Lang::Pl => format!("{day:02}.{month:02}.{year}, {hour:02}:{minute:02}"),
        Lang::En => {
            let name = MONTHS[usize::try_from(month - 1).unwrap_or(0).min(11)];
            format!("{day} {name} {year}, {hour:02}:{minute:02}")
        }
    }
}

/// Instants on the wire, as the server writes them: RFC 3339 in UTC,
/// `2026-11-24T14:30:00Z`, with a fraction of a second when there is one. Read by hand
/// rather than by jiff's parser, which takes the whole Temporal grammar (offsets, zone
/// annotations, week dates) and its error messages: a quarter of the date code of every
/// browser bundle, for a form only this server writes. For `#[serde(with = …)]`.
pub mod rfc3339 {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        t.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| D::Error::custom(EXPECTED))
    }

    const EXPECTED: &str = "an instant in UTC like 2026-11-24T14:30:00Z";

    /// `Option<Timestamp>`, null when absent.
    pub mod option {
        use super::{EXPECTED, Timestamp, parse};
        use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

        pub fn serialize<S: Serializer>(
            t: &Option<Timestamp>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            t.serialize(serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Timestamp>, D::Error> {
            match Option::<std::borrow::Cow<str>>::deserialize(deserializer)? {
                None => Ok(None),
                Some(text) => parse(&text)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(EXPECTED)),
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f…]Z`, the fraction up to nanoseconds; anything else is none.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        let number = |from: usize, to: usize| -> Option<i32> {
            let digits = b.get(from..to)?;
            digits.iter().try_fold(0i32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + i32::from(d - b'0'))
            })
        };
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if separators.iter().any(|&(at, c)| b.get(at) != Some(&c)) {
            return None;
        }
        let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
        let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
        let mut rest = &b[19..];
        let mut nanos = 0i32;
        if let Some(fraction) = rest.strip_prefix(b".") {
            let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            let value = number(20, 20 + digits)?;
            nanos = value * 10i32.pow(9 - u32::try_from(digits).ok()?);
            rest = &fraction[digits..];
        }
        if rest != b"Z" {
            return None;
        }
        let civil = jiff::civil::DateTime::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
            i8::try_from(hour).ok()?,
            i8::try_from(minute).ok()?,
            i8::try_from(second).ok()?,
            nanos,
        )
        .ok()?;
        jiff::tz::Offset::UTC.to_timestamp(civil).ok()
    }
}

/// The zone name shown beside local times, and used in calendar files.
pub const WARSAW_ZONE: &str = "Europe/Warsaw";

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An instant from RFC 3339 text, for tests.
    pub fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("valid RFC 3339 in a test")
    }

    #[test]
    fn months_keep_the_day_and_time() {
        assert_eq!(
            add_months(at("2026-03-15T10:20:30Z"), 12),
            at("2027-03-15T10:20:30Z")
        );
        assert_eq!(
            add_months(at("2026-03-15T10:20:30Z"), 24),
            at("2028-03-15T10:20:30Z")
        );
    }

    #[test]
    fn months_cross_years_both_ways_and_saturate_at_the_ends_of_time() {
        assert_eq!(
            add_months(at("2026-11-30T10:00:00.5Z"), 3),
            at("2027-02-28T10:00:00.5Z")
        );
        assert_eq!(
            add_months(at("2026-01-31T00:00:00Z"), -2),
            at("2025-11-30T00:00:00Z")
        );
        assert_eq!(add_months(Timestamp::MAX, 1), Timestamp::MAX);
        assert_eq!(add_months(Timestamp::MIN, -1), Timestamp::MIN);
        assert_eq!(
            add_months(at("2026-01-01T00:00:00Z"), i32::MAX),
            Timestamp::MAX
        );
        assert_eq!(
            add_months(at("2026-01-01T00:00:00Z"), i32::MIN + 12),
            Timestamp::MIN
        );
    }

    #[test]
    fn month_end_falls_back_to_the_last_day() {
        assert_eq!(
            add_months(at("2026-01-31T12:00:00Z"), 1),
            at("2026-02-28T12:00:00Z")
        );
        assert_eq!(
            add_months(at("2028-01-31T12:00:00Z"), 1),
            at("2028-02-29T12:00:00Z")
        );
        assert_eq!(
            add_months(at("2026-08-31T23:59:59Z"), 1),
            at("2026-09-30T23:59:59Z")
        );
    }

    #[test]
    fn leap_day_terms_end_on_28_february() {
        assert_eq!(
            add_months(at("2028-02-29T08:00:00Z"), 12),
            at("2029-02-28T08:00:00Z")
        );
        assert_eq!(
            add_months(at("2028-02-29T08:00:00Z"), 24),
            at("2030-02-28T08:00:00Z")
        );
        assert_eq!(
            add_months(at("2028-02-29T08:00:00Z"), 48),
            at("2032-02-29T08:00:00Z")
        );
    }

    #[test]
    fn days_are_exactly_24_hours_even_across_daylight_saving() {
        // Poland moves its clocks on 29 March 2026; UTC instants do not care.
        assert_eq!(
            after(at("2026-03-20T10:00:00Z"), DIRECT_ACTIVATION_WINDOW),
            at("2026-04-19T10:00:00Z")
        );
        assert_eq!(
            after(at("2026-03-28T10:00:00Z"), VERIFICATION_WINDOW),
            at("2026-03-31T10:00:00Z")
        );
    }

    #[test]
    fn reads_the_instants_the_server_writes() {
        for t in [
            at("2026-11-24T14:30:00Z"),
            at("2028-02-29T23:59:59.5Z"),
            at("1970-01-01T00:00:00.000000001Z"),
            at("2026-03-29T01:00:00.123456789Z"),
        ] {
            // What jiff writes (the server), read back to the same instant.
            assert_eq!(rfc3339::parse(&t.to_string()), Some(t), "{t}");
        }
        assert_eq!(
            rfc3339::parse("2026-11-24T14:30:00.25Z"),
            Some(at("2026-11-24T14:30:00.250Z"))
        );
    }

    #[test]
    fn refuses_every_other_form() {
        for bad in [
            "",
            "2026-11-24",
            "2026-11-24T14:30Z",
            "2026-11-24T14:30:00",
            "2026-11-24T14:30:00+01:00",
            "2026-11-24T14:30:00z",
            "2026-11-24 14:30:00Z",
            "2026-11-24T14:30:00.Z",
            "2026-11-24T14:30:00.1234567890Z",
            "2026-11-24T14:30:00ZZ",
            "2026-02-30T14:30:00Z",
            "2026-11-24T24:00:00Z",
            "2026-13-01T00:00:00Z",
            "+2026-11-24T14:30:00Z",
            "2026-1a-24T14:30:00Z",
            "2026-11-24T14:30:00Z[Europe/Warsaw]",
        ] {
            assert_eq!(rfc3339::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn shows_warsaw_time_in_winter_and_summer() {
        assert_eq!(
            warsaw_display(at("2026-11-24T14:30:00Z"), Lang::Pl),
            "24.11.2026, 15:30"
        );
        assert_eq!(
            warsaw_display(at("2026-07-04T14:30:00Z"), Lang::Pl),
            "04.07.2026, 16:30"
        );
        assert_eq!(
            warsaw_display(at("2026-07-04T14:30:00Z"), Lang::En),
            "4 Jul 2026, 16:30"
        );
        // Just before midnight UTC is already the next day in Warsaw.
        assert_eq!(
            warsaw_display(at("2026-12-31T23:30:00Z"), Lang::En),
            "1 Jan 2027, 00:30"
        );
    }
}
