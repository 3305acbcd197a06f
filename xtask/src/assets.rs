//! The built app's assets: the offline worker's list of the app shell, pre-compressed
//! copies made once at build time (brotli and gzip, at their best settings) so the
//! server only picks a file, and the size of the first load as a browser downloads it.

use anyhow::{Context, Result};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files the browser fetches for the first page (the parts fetched on first use,
/// `crate::wasm`, are not among them).
fn first_load(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut files = vec![dist.join("index.html")];
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let part = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(crate::wasm::is_part);
        if matches!(ext, "js" | "wasm" | "css") && !part {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The journeys built as bundles of their own under `dist/bundle/<journey>/`, as
/// `care_rules::Journey` names them (the home bundle is `dist/` itself).
pub const JOURNEYS: [&str; 5] = ["coverage", "activation", "verification", "claims", "owner"];

/// The page Trunk builds a bundle's page from: `source` (the home page `index.html`,
/// or the console's) without its Rust link, as the Wasm is built, split and linked by
/// `crate::wasm`; a journey's page also without the files only the home bundle copies
/// (icon, manifest, worker). Written under `target/bundles/<name>/`, its links climbing
/// there from the source's folder.
pub fn release_page(root: &Path, source: &str, name: &str) -> Result<PathBuf> {
    let html = std::fs::read_to_string(root.join(source))?;
    let from = Path::new(source)
        .parent()
        .map(|p| format!("../../../{}", p.display()))
        .unwrap_or_else(|| "../../..".to_owned());
    let page = page_for(&html, from.trim_end_matches('/'), name)
        .with_context(|| format!("making the {name} page from {source}"))?;
    let folder = root.join("target/bundles").join(name);
    std::fs::create_dir_all(&folder)?;
    let path = folder.join("index.html");
    std::fs::write(&path, page)?;
    Ok(path)
}

/// `release_page`'s text: the links of `html` climbing from `from`. Of the journeys'
/// own style sheets (`style/<journey>.css`), the home page keeps none and a journey's
/// page its own: the coverage page has no use for the payment's or the uploader's rules.
fn page_for(html: &str, from: &str, name: &str) -> Result<String> {
    let home = name == "home";
    let owners = home || JOURNEYS.contains(&name);
    let mut page = String::new();
    let mut rust_links = 0;
    for line in html.lines() {
        if line.contains("data-trunk") && line.contains(r#"rel="rust""#) {
            rust_links += 1;
            continue;
        }
        if line.contains(r#"rel="copy-dir""#) && !home {
            continue;
        }
        let other_journey = JOURNEYS
            .iter()
            .any(|j| *j != name && line.contains(&format!(r#"href="style/{j}.css""#)));
        if owners && other_journey {
            continue;
        }
        let line = if line.contains("data-trunk") {
            line.replacen(r#"href=""#, &format!(r#"href="{from}/"#), 1)
        } else {
            line.to_owned()
        };
        page.push_str(&line);
        page.push('\n');
    }
    if rust_links != 1 {
        anyhow::bail!("no longer has the one Rust link a release page is made from");
    }
    Ok(page)
}

/// Writes the build into the offline worker (`dist/sw.js`, from `public/sw.js`): each
/// bundle's page (home as `/`, the others as `/bundle/<journey>/`) and its hashed JS
/// and Wasm (home also the icon and manifest), the parts fetched on first use, and a
/// cache name that changes with any of them, so that a new build replaces the old
/// cache whole.
pub fn service_worker(dist: &Path) -> Result<()> {
    let worker = dist.join("sw.js");
    let template = std::fs::read_to_string(&worker)
        .with_context(|| format!("reading {}", worker.display()))?;
    let mut build = std::hash::DefaultHasher::new();
    let mut shells = Vec::new();
    let mut parts = Vec::new();
    for journey in std::iter::once("home").chain(JOURNEYS) {
        let (folder, page) = match journey {
            "home" => (dist.to_path_buf(), "/".to_owned()),
            _ => (
                dist.join("bundle").join(journey),
                format!("/bundle/{journey}/"),
            ),
        };
        std::fs::read(folder.join("index.html"))?.hash(&mut build);
        let mut shell = vec![page.clone()];
        for file in first_load(&folder)? {
            match file.file_name().and_then(|n| n.to_str()) {
                Some("index.html" | "sw.js") | None => {}
                Some(name) => shell.push(format!("{page}{name}")),
            }
        }
        if journey == "home" {
            shell.extend([
                "/favicon.svg".to_owned(),
                "/manifest.webmanifest".to_owned(),
            ]);
        }
        shell.hash(&mut build);
        let list: Vec<String> = shell.iter().map(|f| format!("'{f}'")).collect();
        shells.push(format!("  {journey}: [{}],", list.join(", ")));
        for entry in std::fs::read_dir(&folder)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if crate::wasm::is_part(&name) && name.ends_with(".wasm") {
                parts.push(format!("'{page}{name}'"));
            }
        }
    }
    parts.sort();
    parts.hash(&mut build);
    let filled = template
        .replacen(
            "const BUILD = 'BUILD';",
            &format!("const BUILD = 'care-{:016x}';", build.finish()),
            1,
        )
        .replacen(
            "const SHELLS = {};",
            &format!("const SHELLS = {{\n{}\n}};", shells.join("\n")),
            1,
        )
        .replacen(
            "const PARTS = [];",
            &format!("const PARTS = [{}];", parts.join(", ")),
            1,
        );
    if filled == template {
        anyhow::bail!("{}: no BUILD and SHELLS to fill in", worker.display());
    }
    // Its comments are for the reader of public/sw.js: every first visit downloads it.
    let code: String = filled
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&worker, code)?;
    Ok(())
}

/// Minifies the filled worker: every first visit downloads it, 150 bytes less as sent
/// than with only its comments left out.
pub fn minify_worker(root: &Path, dist: &Path) -> Result<()> {
    let worker = dist.join("sw.js");
    esbuild(root, &worker, &worker, &["--allow-overwrite"])
}

/// esbuild, minifying `input` into `output`, with `args`.
pub fn esbuild(root: &Path, input: &Path, output: &Path, args: &[&str]) -> Result<()> {
    crate::check(
        crate::cmd(root, "esbuild", &["--minify", "--log-level=warning"])
            .args(args)
            .arg(input)
            .arg(format!("--outfile={}", output.display())),
    )
}

/// Writes `<file>.br` and `<file>.gz` beside every compressible asset.
pub fn precompress(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(
            ext,
            "html" | "js" | "wasm" | "css" | "svg" | "txt" | "webmanifest"
        ) {
            continue;
        }
        let raw = std::fs::read(&path)?;
        std::fs::write(with_suffix(&path, "br"), brotli_bytes(&raw)?)?;
        std::fs::write(with_suffix(&path, "gz"), gzip_bytes(&raw)?)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(raw)?;
    }
    Ok(out)
}

fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

/// Prints the first load file by file: raw, gzip and brotli bytes.
pub fn report(dist: &Path) -> Result<()> {
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "first load", "raw", "gzip", "brotli"
    );
    for file in first_load(dist)? {
        let raw = std::fs::read(&file)?;
        let gz = gzip_bytes(&raw)?.len();
        let br = brotli_bytes(&raw)?.len();
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        println!("{name:<44} {:>10} {gz:>10} {br:>10}", raw.len());
        raw_total += raw.len();
        gz_total += gz;
        br_total += br;
    }
    println!(
        "{:<44} {raw_total:>10} {gz_total:>10} {br_total:>10}",
        "total (bytes)"
    );
    println!(
        "first load over the wire: {:.1} KiB with brotli, {:.1} KiB with gzip",
        br_total as f64 / 1024.0,
        gz_total as f64 / 1024.0
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{JOURNEYS, page_for, service_worker};
    use std::path::{Path, PathBuf};

    /// A build folder like `cargo xtask`'s, with the worker as `public/sw.js` is.
    fn build(name: &str, index: &str, wasm: &str) -> PathBuf {
        let dist = std::env::temp_dir().join(format!("care-sw-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        let bundle = |folder: &Path, bin: &str| {
            std::fs::create_dir_all(folder).expect("folder");
            std::fs::write(folder.join("index.html"), index).expect("index");
            std::fs::write(folder.join(format!("{bin}-{wasm}_bg.wasm")), "wasm").expect("wasm");
            std::fs::write(folder.join(format!("{bin}-{wasm}.js")), "js").expect("js");
        };
        bundle(&dist, "care-portal");
        for journey in JOURNEYS {
            bundle(
                &dist.join("bundle").join(journey),
                &format!("care-{journey}"),
            );
        }
        std::fs::write(dist.join("robots.txt"), "").expect("robots");
        let template = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/sw.js");
        std::fs::copy(template, dist.join("sw.js")).expect("worker");
        dist
    }

    fn filled(dist: &Path) -> String {
        service_worker(dist).expect("filled");
        let worker = std::fs::read_to_string(dist.join("sw.js")).expect("worker");
        let _ = std::fs::remove_dir_all(dist);
        worker
    }

    #[test]
    fn the_worker_lists_the_shell_and_names_its_cache_after_the_build() {
        let one = filled(&build("one", "<p>one</p>", "0123abcd0123abcd"));
        assert!(one.contains(
            "  home: ['/', '/care-portal-0123abcd0123abcd.js', \
             '/care-portal-0123abcd0123abcd_bg.wasm', '/favicon.svg', '/manifest.webmanifest'],\n"
        ));
        assert!(one.contains(
            "  claims: ['/bundle/claims/', '/bundle/claims/care-claims-0123abcd0123abcd.js', \
             '/bundle/claims/care-claims-0123abcd0123abcd_bg.wasm'],\n"
        ));
        assert!(!one.contains("robots"), "only what the app needs");
        assert!(
            !one.contains("// "),
            "the comments are left out of what browsers download"
        );
        assert!(
            one.contains("self.addEventListener('fetch'"),
            "the code stays"
        );
        let build_line = |w: &str| {
            w.lines()
                .find(|l| l.starts_with("const BUILD"))
                .map(str::to_owned)
        };
        let same = filled(&build("same", "<p>one</p>", "0123abcd0123abcd"));
        let page = filled(&build("page", "<p>two</p>", "0123abcd0123abcd"));
        let code = filled(&build("code", "<p>one</p>", "ffffabcd0123abcd"));
        assert_eq!(build_line(&one), build_line(&same));
        assert_ne!(
            build_line(&one),
            build_line(&page),
            "a new page is a new build"
        );
        assert_ne!(
            build_line(&one),
            build_line(&code),
            "new code is a new build"
        );
    }

    /// The sheets inlined into the page made for `name`.
    fn sheets(html: &str, name: &str) -> Vec<String> {
        page_for(html, "../../..", name)
            .expect("page")
            .lines()
            .filter_map(|l| l.split("href=\"../../../").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|href| href.ends_with(".css"))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_journeys_page_inlines_the_shared_sheet_and_only_its_own() {
        let index = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../index.html"))
            .expect("index.html");
        assert_eq!(sheets(&index, "home"), ["style/main.css"]);
        assert_eq!(
            sheets(&index, "coverage"),
            ["style/main.css", "style/coverage.css"]
        );
        assert_eq!(
            sheets(&index, "claims"),
            ["style/main.css", "style/claims.css"]
        );
        assert_eq!(
            sheets(&index, "activation"),
            ["style/main.css"],
            "a journey without a sheet of its own"
        );
        let staff = "<link data-trunk rel=\"inline\" href=\"style/claims.css\">\n\
                     <link data-trunk rel=\"rust\" data-bin=\"care-staff\">";
        assert_eq!(
            sheets(staff, "staff"),
            ["style/claims.css"],
            "the console's page names its own"
        );
        for journey in JOURNEYS {
            let own = format!("style/{journey}.css");
            let sheet = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(&own);
            assert_eq!(
                sheets(&index, journey).contains(&own),
                sheet.exists(),
                "index.html links {own} exactly when it exists"
            );
        }
        assert!(page_for("<p>no app</p>", "..", "home").is_err());
    }

    #[test]
    fn a_worker_without_its_placeholders_is_an_error() {
        let dist = build("filled", "<p>x</p>", "0123abcd0123abcd");
        service_worker(&dist).expect("first");
        assert!(service_worker(&dist).is_err(), "filled twice");
        let _ = std::fs::remove_dir_all(&dist);
    }
}
