//! Deadlines as a calendar file (RFC 5545), so an owner can keep them in a calendar.
//! Written by hand: a handful of lines, and no calendar crate is small enough for the
//! browser bundle.

use care_rules::Timestamp;

/// A calendar with one event (15 minutes long) at each instant.
pub fn calendar(events: &[(Timestamp, String)], uid_seed: &str) -> String {
    let stamp = |t: Timestamp| {
        let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    };
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Care Refresh//Portal//PL\r\nCALSCALE:GREGORIAN\r\n",
    );
    for (i, (at, summary)) in events.iter().enumerate() {
        // `after` saturates: jiff's `+` would panic through its error formatting,
        // which is a third of the date code in the bundle.
        let end = care_rules::time::after(*at, jiff::SignedDuration::from_mins(15));
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&format!("UID:{uid_seed}-{i}@care-refresh\r\n"));
        out.push_str(&format!("DTSTAMP:{}\r\n", stamp(*at)));
        out.push_str(&format!(
            "DTSTART:{}\r\nDTEND:{}\r\n",
            stamp(*at),
            stamp(end)
        ));
        out.push_str(&format!("SUMMARY:{}\r\n", escape(summary)));
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// A `data:` URL of the calendar, for a download link.
pub fn data_url(calendar: &str) -> String {
    format!(
        "data:text/calendar;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(calendar))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_in_utc_with_escaped_text() {
        let at: Timestamp = "2027-11-24T10:00:00Z".parse().expect("instant");
        let text = calendar(&[(at, "Koniec ochrony, DJI; Osmo".to_owned())], "SN1");
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("DTSTART:20271124T100000Z\r\nDTEND:20271124T101500Z\r\n"));
        assert!(text.contains("SUMMARY:Koniec ochrony\\, DJI\\; Osmo\r\n"));
        assert!(text.contains("UID:SN1-0@care-refresh"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
