//! Adds up what every test runner of `cargo xtask test` reports, so that the run ends
//! on one plain line, `tests: N passed, M failed`, whatever runner happened to be last
//! (schemathesis closes on a pytest-like line that says nothing of its test cases, so
//! that line is passed on without its `=` frame: a reader of pytest's closing lines
//! would take `=== 3 warnings in 14.47s ===` for a run of no test).

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

static PASSED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);

/// Runs a test command to its end as `check` does, passing its output through and
/// counting the totals its runner prints.
pub fn check_counted(command: &mut Command) -> Result<()> {
    let what = crate::describe(command);
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {what}"))?;
    let stdout = child.stdout.take().context("no test output")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{}", unframed(&line));
        let (passed, failed) = totals(&line);
        PASSED.fetch_add(passed, Ordering::Relaxed);
        FAILED.fetch_add(failed, Ordering::Relaxed);
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(())
}

/// The closing line of the whole run.
pub fn closing_line() -> String {
    format!(
        "tests: {} passed, {} failed",
        PASSED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed)
    )
}

/// The totals one output line reports, if it is a runner's summary line:
/// libtest and wasm-bindgen-test (`test result: ok. 12 passed; 0 failed; …`), node's
/// test runner (`# pass 39` in TAP, `ℹ pass 39` in its spec reporter) and schemathesis
/// (`1922 generated, 1922 passed`, `, 3 failed` when some did).
fn totals(line: &str) -> (u64, u64) {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("test result: ") {
        return (count_before(rest, " passed"), count_before(rest, " failed"));
    }
    for marker in ["# ", "ℹ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            if let Some(n) = rest.strip_prefix("pass ") {
                return (n.trim().parse().unwrap_or(0), 0);
            }
            if let Some(n) = rest.strip_prefix("fail ") {
                return (0, n.trim().parse().unwrap_or(0));
            }
        }
    }
    if line.contains(" generated, ") {
        return (count_before(line, " passed"), count_before(line, " failed"));
    }
    (0, 0)
}

/// A pytest-style banner (`==== 3 warnings in 14.47s ====`) without its frame and
/// with its duration spelt out; any other line as it is.
fn unframed(line: &str) -> std::borrow::Cow<'_, str> {
    let inner = line.trim().trim_matches('=').trim();
    let framed = line.trim().starts_with("==") && line.trim().ends_with("==");
    match inner.rsplit_once(" in ") {
        Some((what, took)) if framed && took.ends_with('s') => format!(
            "(runner summary: {what}; took {})",
            took.trim_end_matches('s')
        )
        .into(),
        _ => line.into(),
    }
}

/// The number written just before `word` in `text`, or 0.
fn count_before(text: &str, word: &str) -> u64 {
    text.find(word)
        .and_then(|end| text[..end].rsplit([' ', ',', ';']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{totals, unframed};

    #[test]
    fn takes_the_frame_off_pytest_like_banners() {
        assert_eq!(
            unframed(
                "============================= 3 warnings in 14.47s ============================="
            ),
            "(runner summary: 3 warnings; took 14.47)"
        );
        assert_eq!(
            unframed("==== 12 passed, 1 failed in 2.00s ===="),
            "(runner summary: 12 passed, 1 failed; took 2.00)"
        );
        // Section rules and ordinary lines pass unchanged.
        for line in [
            "=================================== SUMMARY ====================================",
            "test result: ok. 1 passed; 0 failed; finished in 0.02s",
            "# pass 39",
        ] {
            assert_eq!(unframed(line), line);
        }
    }

    #[test]
    fn reads_each_runners_summary() {
        assert_eq!(
            totals(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.02s"
            ),
            (12, 0)
        );
        assert_eq!(
            totals("test result: FAILED. 3 passed; 2 failed; 0 ignored"),
            (3, 2)
        );
        assert_eq!(totals("# pass 39"), (39, 0));
        assert_eq!(totals("# fail 1"), (0, 1));
        assert_eq!(totals("ℹ pass 7"), (7, 0));
        assert_eq!(totals("  1922 generated, 1922 passed"), (1922, 0));
        assert_eq!(totals("  40 generated, 37 passed, 3 failed"), (37, 3));
        // Lines that only look alike count nothing.
        assert_eq!(totals("# passing the parcel"), (0, 0));
        assert_eq!(totals("     ✅ 39 passed"), (0, 0));
        assert_eq!(totals("running 12 tests"), (0, 0));
    }
}
