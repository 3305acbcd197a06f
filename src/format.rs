//! How times, durations and sizes read in each language. Money and Warsaw dates come
//! from the rules crate, so the emails and the app agree.

use crate::i18n::Locale;
use care_rules::time::warsaw_display;
use care_rules::{Lang, Timestamp};

pub fn lang(locale: Locale) -> Lang {
    match locale {
        Locale::pl => Lang::Pl,
        Locale::en => Lang::En,
    }
}

/// A deadline in Europe/Warsaw time. The date and the time each stay on one line
/// (no "30 / Nov 2027" on a phone): their spaces are non-breaking.
pub fn when(t: Timestamp, lang: Lang) -> String {
    warsaw_display(t, lang)
        .split(", ")
        .map(|part| part.replace(' ', "\u{a0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is left until `until`, in the units a person would use: months beyond 60
/// days (`24 mies.` / `24 months`), days beyond 48 hours (with hours in the first
/// week), hours and minutes within them, seconds in the last minute; `0 min` once passed. (Polish needs no
/// plural forms here: "dni" and "mies." read right from 2 on.)
pub fn left(now: Timestamp, until: Timestamp, lang: Lang) -> String {
    let seconds = (until - now).as_secs().max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600, seconds % 3600 / 60);
    let pl = lang == Lang::Pl;
    if days > 60 {
        // An average month: 730 days read as 24 months.
        let months = (seconds as f64 / (30.436_875 * 86_400.0)).round() as i64;
        return if pl {
            format!("{months} mies.")
        } else {
            format!("{months} months")
        };
    }
    if hours >= 48 {
        // Within a week the hours still matter (71 hours left is not "2 days").
        let rest = if days < 7 { hours % 24 } else { 0 };
        return match (pl, rest) {
            (true, 0) => format!("{days} dni"),
            (true, h) => format!("{days} dni {h} godz."),
            (false, 0) => format!("{days} days"),
            (false, h) => format!("{days} days {h} h"),
        };
    }
    let hour = if pl { "godz." } else { "h" };
    match (hours, minutes) {
        (0, 0) if seconds > 0 => format!("{seconds} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} {hour}"),
        (h, m) => format!("{h} {hour} {m} min"),
    }
}

/// A size in kibibytes (whole), mebibytes or gibibytes, with the language's decimal
/// mark: a slow link's 30 KiB/s does not read as "0.0 MiB/s". Tenths are counted in
/// integers (rounded half up): formatting an `f64` would bring Rust's float formatting,
/// some 10 KB of Wasm, to the uploader for one decimal.
pub fn size(bytes: u64, lang: Lang) -> String {
    let tenths = |unit: u64| (u128::from(bytes) * 10 + u128::from(unit / 2)) / u128::from(unit);
    let mark = match lang {
        Lang::Pl => ',',
        Lang::En => '.',
    };
    if bytes >= 1 << 30 {
        let t = tenths(1 << 30);
        format!("{}{mark}{} GiB", t / 10, t % 10)
    } else if bytes >= 1 << 20 {
        let t = tenths(1 << 20);
        format!("{}{mark}{} MiB", t / 10, t % 10)
    } else {
        format!("{} KiB", bytes.div_ceil(1 << 10))
    }
}

/// A video's length as `1:05`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// An amount in złoty as staff type it (`450`, `450,5`, `450.50`, `1 200,00`) in
/// grosze; `None` for anything else or more than two decimals.
pub fn parse_zloty(text: &str) -> Option<care_rules::Money> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.trim_end_matches("zł").replace(',', ".");
    let (whole, fraction) = compact.split_once('.').unwrap_or((&compact, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let zloty: u32 = whole.parse().ok()?;
    let grosze: u32 = format!("{fraction:0<2}").parse().ok()?;
    zloty
        .checked_mul(100)?
        .checked_add(grosze)
        .map(care_rules::Money::from_grosze)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn countdowns_read_naturally() {
        let now = at("2026-11-24T10:00:00Z");
        // Two years read in months, not as "730 d 23 godz.".
        assert_eq!(left(now, at("2028-11-24T09:00:00Z"), Lang::Pl), "24 mies.");
        assert_eq!(left(now, at("2027-11-24T10:00:00Z"), Lang::En), "12 months");
        // 61 days are two months; 60 are still days.
        assert_eq!(left(now, at("2027-01-24T10:00:00Z"), Lang::En), "2 months");
        assert_eq!(left(now, at("2027-01-23T10:00:00Z"), Lang::Pl), "60 dni");
        assert_eq!(left(now, at("2026-11-27T10:00:00Z"), Lang::Pl), "3 dni");
        assert_eq!(
            left(now, at("2026-12-01T09:00:00Z"), Lang::Pl),
            "6 dni 23 godz."
        );
        assert_eq!(left(now, at("2026-12-01T10:00:00Z"), Lang::Pl), "7 dni");
        assert_eq!(left(now, at("2026-12-02T09:00:00Z"), Lang::En), "7 days");
        // The 72-hour window a minute after acceptance.
        assert_eq!(
            left(now, at("2026-11-27T09:59:00Z"), Lang::Pl),
            "2 dni 23 godz."
        );
        assert_eq!(
            left(now, at("2026-11-27T09:59:00Z"), Lang::En),
            "2 days 23 h"
        );
        // Within 48 hours: hours and minutes (the 72-hour window's last two days).
        assert_eq!(
            left(now, at("2026-11-26T09:59:00Z"), Lang::En),
            "47 h 59 min"
        );
        assert_eq!(left(now, at("2026-11-26T10:00:00Z"), Lang::En), "2 days");
        assert_eq!(left(now, at("2026-11-25T13:00:00Z"), Lang::Pl), "27 godz.");
        assert_eq!(
            left(now, at("2026-11-24T12:05:00Z"), Lang::Pl),
            "2 godz. 5 min"
        );
        assert_eq!(left(now, at("2026-11-24T10:00:42Z"), Lang::En), "42 s");
        assert_eq!(left(now, at("2026-11-24T09:00:00Z"), Lang::En), "0 min");
    }

    #[test]
    fn zloty_amounts_parse_to_grosze() {
        let g = |s: &str| parse_zloty(s).map(care_rules::Money::grosze);
        assert_eq!(g("450"), Some(45000));
        assert_eq!(g("450,5"), Some(45050));
        assert_eq!(g("450.05"), Some(45005));
        assert_eq!(g("1 200,00 zł"), Some(120000));
        assert_eq!(g("4,505"), None);
        assert_eq!(g("-5"), None);
        assert_eq!(g(""), None);
        assert_eq!(g("abc"), None);
    }

    #[test]
    fn sizes_use_the_decimal_mark() {
        assert_eq!(size(5 << 20, Lang::Pl), "5,0 MiB");
        assert_eq!(size(3 << 29, Lang::En), "1.5 GiB");
        assert_eq!(size(30_000, Lang::Pl), "30 KiB");
        assert_eq!(size(0, Lang::En), "0 KiB");
        // Tenths round half up: 1.05 MiB is 1,101,004.8 bytes.
        assert_eq!(size(1_101_004, Lang::En), "1.0 MiB");
        assert_eq!(size(1_101_005, Lang::En), "1.1 MiB");
        assert_eq!(size((1 << 30) - 1, Lang::En), "1024.0 MiB");
        assert_eq!(size(u64::MAX, Lang::En), "17179869184.0 GiB");
        assert_eq!(duration(65.4), "1:05");
    }
}
