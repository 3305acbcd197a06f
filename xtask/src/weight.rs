//! Where each bundle's bytes go: every bundle's main Wasm module as the release build
//! makes it (split, wasm-bindgen, then wasm-opt -Oz) but with its function names kept, read by twiggy
//! and added up by crate, written to `size-report.txt` (committed, so a change in
//! weight shows in its diff) and printed by `cargo xtask size`.

use crate::{cmd, step};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The bundles, by binary: the owners' home and other journeys, and the staff console.
fn bundles() -> Vec<String> {
    let journeys = crate::assets::JOURNEYS.iter().map(|j| format!("care-{j}"));
    std::iter::once("care-portal".to_owned())
        .chain(journeys)
        .chain(["care-staff".to_owned()])
        .collect()
}
/// Lines per bundle: the heaviest crates, then the heaviest single items.
const CRATES: usize = 14;
const ITEMS: usize = 8;

pub fn report(root: &Path) -> Result<()> {
    crate::tools::twiggy()?;
    step("Where the bytes go (twiggy, by crate; raw bytes after wasm-opt)");
    let mut text = String::from(
        "# Where each bundle's Wasm bytes go: `cargo xtask size` writes this file.\n\
         # Raw bytes after wasm-opt -Oz, by crate (generic code is counted where it is\n\
         # defined: most of tachys and reactive_graph is this app's views), then the\n\
         # heaviest single items. Brotli sends about a third of these bytes.\n",
    );
    let work = root.join("target/size");
    for bundle in bundles() {
        let named = named_wasm(root, &work, &bundle)?;
        let rows = items(root, &named)?;
        let total: u64 = rows.iter().map(|(_, b)| b).sum();
        let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
        for (name, bytes) in &rows {
            *by_crate.entry(owner(name)).or_default() += bytes;
        }
        let mut crates: Vec<_> = by_crate.into_iter().collect();
        crates.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
        writeln!(text, "\n## {bundle}: {total} bytes")?;
        for (name, bytes) in crates.iter().take(CRATES) {
            writeln!(text, "{bytes:>9} {:>5.1}%  {name}", percent(*bytes, total))?;
        }
        writeln!(text, "  heaviest items:")?;
        for (name, bytes) in rows.iter().take(ITEMS) {
            let short: String = name.chars().take(100).collect();
            writeln!(text, "{bytes:>9} {:>5.1}%  {short}", percent(*bytes, total))?;
        }
    }
    std::fs::write(root.join("size-report.txt"), &text)?;
    print!("{text}");
    Ok(())
}

fn percent(part: u64, whole: u64) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// The main module of the bundle (what a first visit fetches; `crate::wasm` split the
/// parts off it) through wasm-bindgen and wasm-opt as the build runs them, names kept.
fn named_wasm(root: &Path, work: &Path, bundle: &str) -> Result<std::path::PathBuf> {
    let main = root
        .join("target/split")
        .join(bundle)
        .join(format!("{bundle}.wasm"));
    let out = work.join(bundle);
    std::fs::create_dir_all(&out)?;
    crate::wasm::bindgen(root, &main, &out)?;
    let named = out.join("named.wasm");
    crate::wasm::optimise(
        root,
        &out.join(format!("{bundle}_bg.wasm")),
        &named,
        crate::wasm::Memory::Creates,
        true,
    )?;
    Ok(named)
}

/// Every item twiggy finds, heaviest first, without the name section itself.
fn items(root: &Path, wasm: &Path) -> Result<Vec<(String, u64)>> {
    let output = cmd(root, "twiggy", &["top", "-n", "1000000", "-f", "csv"])
        .arg(wasm)
        .output()
        .context("could not start twiggy")?;
    if !output.status.success() {
        bail!("twiggy failed on {}", wasm.display());
    }
    let csv = String::from_utf8_lossy(&output.stdout);
    let mut rows = Vec::new();
    for line in csv.lines().skip(1) {
        // `Name,ShallowSize,…`; a name may be quoted and hold commas.
        let (name, rest) = match line.strip_prefix('"') {
            Some(quoted) => match quoted.find("\",") {
                Some(end) => (quoted[..end].replace("\"\"", "\""), &quoted[end + 2..]),
                None => continue,
            },
            None => match line.split_once(',') {
                Some((name, rest)) => (name.to_owned(), rest),
                None => continue,
            },
        };
        let Some(bytes) = rest.split(',').next().and_then(|b| b.parse().ok()) else {
            continue;
        };
        if !name.contains("names\" subsection") && !name.contains("names subsection") {
            rows.push((name, bytes));
        }
    }
    Ok(rows)
}

/// The crate an item belongs to: `tachys::view::…` and `<tachys::… as …>` to tachys,
/// data segments to "(data)", wasm-bindgen's glue and tables by their kind.
fn owner(name: &str) -> String {
    if name.starts_with("data segment") {
        return "(data: strings, tables)".to_owned();
    }
    let trimmed = name
        .trim_start_matches(['<', '&'])
        .trim_start_matches("mut ");
    let head: String = trimmed
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // `<T as tachys::…>`: a generic impl of the crate named after `as`.
    if head.len() <= 1
        && let Some((_, after)) = trimmed.split_once(" as ")
    {
        return owner(after);
    }
    if head.is_empty() {
        name.chars().take(24).collect()
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::owner;

    #[test]
    fn items_belong_to_their_crates() {
        assert_eq!(
            owner("tachys::view::any_view::IntoAny::build::h01"),
            "tachys"
        );
        assert_eq!(
            owner("<reactive_graph::computed::ScopedFuture<Fut> as core::future::Future>::poll"),
            "reactive_graph"
        );
        assert_eq!(
            owner("<T as tachys::view::any_view::IntoAny>::into_any"),
            "tachys"
        );
        assert_eq!(owner("<&T as core::fmt::Debug>::fmt::h9"), "core");
        assert_eq!(
            owner("data segment \".rodata.18\""),
            "(data: strings, tables)"
        );
        assert_eq!(owner("care_rules::time::add_months::hb5"), "care_rules");
    }
}
