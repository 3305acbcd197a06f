//! The app's clock: the browser's, corrected by the server's `Date` header, so that
//! every preview of the rules uses the time the server will decide with (a wrong
//! clock on a phone must not promise a window that has closed).

use care_rules::Timestamp;
use leptos::prelude::*;
use std::cell::Cell;
use std::time::Duration;

thread_local! {
    /// Server time minus browser time, in milliseconds.
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
}

fn browser_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Now, as the server counts it.
pub fn now() -> Timestamp {
    let ms = browser_ms() + OFFSET_MS.with(Cell::get);
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Learns the server's time from an HTTP `Date` header. The header has whole seconds,
/// so differences under two seconds are noise and ignored. The browser's own `Date`
/// reads it (jiff's RFC 2822 parser would add its code to every bundle).
pub fn learn(date_header: &str) {
    let server = js_sys::Date::parse(date_header);
    if server.is_finite() {
        let offset = server as i64 + 500 - browser_ms();
        OFFSET_MS.with(|current| {
            if (offset - current.get()).abs() > 2000 {
                current.set(offset);
            }
        });
    }
}

/// A signal of now that ticks every second, for countdowns.
pub fn use_ticking_now() -> ReadSignal<Timestamp> {
    let (now_signal, set_now) = signal(now());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    now_signal
}

/// Waits `ms` milliseconds (a browser timer).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
