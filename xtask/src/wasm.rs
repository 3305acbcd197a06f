//! Each bundle's Wasm as the release serves it. Trunk builds the pages (the style
//! inlined, the HTML minified) but cannot split a Wasm module (trunk#1022), so the Rust
//! part is done here, in the order splitting needs (as cargo-leptos does it): cargo
//! with the linker's relocations kept, the splitter, wasm-bindgen on the main module
//! only, trimming its output (bindgen_trim.rs), wasm-opt on every file; then names with
//! a content hash, the glue and the splitter's loader as one minified module (esbuild),
//! and the page's loader with `integrity` for what the first visit fetches.

use crate::{check, cmd};
use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use sha2::Digest;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The name the splitter gives its loader (`__wasm_split.js`) and each part's file
/// (`split_<part>.wasm`, `chunk_<n>.wasm` for code several parts share).
const LOADER: &str = "__wasm_split";
const PART_PREFIXES: [&str; 2] = ["split_", "chunk_"];

/// The staff console's binary: the one bundle the offline worker does not serve.
const STAFF: &str = "care-staff";

/// Whether a built file is a part fetched on first use (not on the first visit).
pub fn is_part(name: &str) -> bool {
    PART_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Builds every browser binary in one cargo run (their link-time optimisation shares
/// the cores), with the `split` feature and the relocations the splitter reads.
pub fn build(root: &Path) -> Result<()> {
    // Unpacks every dependency's source first, so that `source_paths` finds them all.
    check(&mut cmd(
        root,
        "cargo",
        &["fetch", "--locked", "--target", "wasm32-unknown-unknown"],
    ))?;
    let mut flags = vec!["-Clink-arg=--emit-relocs".to_owned()];
    flags.extend(source_paths()?);
    let mut cargo = cmd(
        root,
        "cargo",
        &[
            "build",
            "--package",
            "care-portal",
            "--bins",
            "--features",
            "split",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    // The encoded form takes paths with spaces; with `--target`, it reaches neither build
    // scripts nor proc macros, as the target's own RUSTFLAGS would not.
    cargo.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"));
    check(&mut cargo)
}

/// The panic locations in the Wasm name each dependency's file as
/// `leptos-0.8.9/src/…`, not under this machine's Cargo home: a bundle weighs the same
/// built anywhere (another Cargo home made the coverage bundle 0.25 KB heavier), and less.
/// Every registry's folder of unpacked sources is remapped, then the Cargo home itself
/// (git checkouts); rustc applies the last mapping that matches.
fn source_paths() -> Result<Vec<String>> {
    let home = home::cargo_home().context("finding the Cargo home")?;
    let mut flags = vec![format!("--remap-path-prefix={}=cargo", home.display())];
    let sources = home.join("registry/src");
    if sources.is_dir() {
        for entry in std::fs::read_dir(&sources)? {
            let path = entry?.path();
            flags.push(format!("--remap-path-prefix={}=", path.display()));
        }
    }
    Ok(flags)
}

/// Puts the release files of binary `bin` into `dist` (served at `url`, ending in `/`)
/// and the loader into its page, `dist/index.html`.
pub fn place(root: &Path, bin: &str, dist: &Path, url: &str) -> Result<()> {
    let work = root.join("target/split").join(bin);
    let _ = std::fs::remove_dir_all(&work);
    let pkg = work.join("pkg");
    std::fs::create_dir_all(&pkg)?;
    let main = split(root, bin, &work)?;
    bindgen(root, &main, &pkg)?;
    let glue = crate::bindgen_trim::trim(
        &pkg.join(format!("{bin}_bg.wasm")),
        std::fs::read_to_string(pkg.join(format!("{bin}.js")))?,
        bin,
    )?;
    std::fs::write(pkg.join(format!("{bin}.js")), &glue)?;
    // Without parts the main module imports nothing from the loader: it is not shipped.
    let split = glue.contains(&format!("\"./{LOADER}.js\""));
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(&work)? {
        let path = entry?.path();
        let name = file_name(&path)?;
        if split && (is_part(&name) || name == format!("{LOADER}.js")) {
            std::fs::copy(&path, pkg.join(&name))?;
            if is_part(&name) {
                parts.push(name.trim_end_matches(".wasm").to_owned());
            }
        }
    }
    parts.sort();
    let main_wasm = pkg.join(format!("{bin}_bg.wasm"));
    optimise(root, &main_wasm, &main_wasm, Memory::Creates, false)?;
    for part in &parts {
        let file = pkg.join(format!("{part}.wasm"));
        optimise(root, &file, &file, Memory::Shares, false)?;
    }
    let hash = content_hash(&pkg)?;
    let named = |stem: &str, ext: &str| format!("{stem}-{hash}{ext}");
    // The glue names its Wasm, the loader each part: every name is rewritten, or the
    // build stops.
    let glue = replace(
        glue,
        &format!("'{bin}_bg.wasm'"),
        &format!("'{}'", named(bin, "_bg.wasm")),
    )?;
    let sources = work.join("js");
    std::fs::create_dir_all(&sources)?;
    std::fs::write(sources.join(format!("{bin}.js")), &glue)?;
    if split {
        let mut loader = std::fs::read_to_string(pkg.join(format!("{LOADER}.js")))?;
        for part in &parts {
            loader = replace(
                loader,
                &format!("\"./{part}.wasm\""),
                &format!("\"./{}\"", named(part, ".wasm")),
            )?;
            std::fs::copy(
                pkg.join(format!("{part}.wasm")),
                dist.join(named(part, ".wasm")),
            )?;
        }
        std::fs::write(sources.join(format!("{LOADER}.js")), loader)?;
    }
    std::fs::copy(
        pkg.join(format!("{bin}_bg.wasm")),
        dist.join(named(bin, "_bg.wasm")),
    )?;
    bundle(
        root,
        &sources.join(format!("{bin}.js")),
        &dist.join(named(bin, ".js")),
    )?;
    let js = format!("{url}{}", named(bin, ".js"));
    let wasm = format!("{url}{}", named(bin, "_bg.wasm"));
    let integrity = |name: &str| -> Result<String> {
        let bytes = std::fs::read(dist.join(name))?;
        Ok(format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes))
        ))
    };
    // The owners' pages register the offline worker (public/sw.js) once the app has
    // started, so that what it keeps comes from the HTTP cache, not a second download.
    // The worker never serves the staff console.
    let worker = if bin == STAFF {
        ""
    } else {
        ";navigator.serviceWorker?.register('/sw.js')"
    };
    let mut head = format!(
        "<script type=module>import init from '{js}';\
         await init({{module_or_path:'{wasm}'}}){worker}</script>\
         <link rel=modulepreload href={js} integrity={} crossorigin>",
        integrity(&named(bin, ".js"))?
    );
    head.push_str(&format!(
        "<link rel=preload as=fetch type=application/wasm href={wasm} integrity={} crossorigin>",
        integrity(&named(bin, "_bg.wasm"))?
    ));
    let page = dist.join("index.html");
    let html =
        std::fs::read_to_string(&page).with_context(|| format!("reading {}", page.display()))?;
    let html = replace(html, "</head>", &format!("{head}</head>"))?;
    std::fs::write(&page, html)?;
    Ok(())
}

/// wasm-bindgen's glue for a main module the splitter made, into `out`.
pub fn bindgen(root: &Path, main: &Path, out: &Path) -> Result<()> {
    check(
        cmd(
            root,
            "wasm-bindgen",
            &[
                "--target",
                "web",
                // The splitter's exports, which its parts import, are kept.
                "--keep-lld-exports",
                "--no-demangle",
                "--no-typescript",
                "--out-dir",
            ],
        )
        .arg(out)
        .arg(main),
    )
}

/// What wasm-opt may assume of a module beyond the Wasm rules.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Memory {
    /// The main module creates the memory: it starts zeroed, and, as rustc's linker
    /// lays it out, its first kilobyte holds no data (wasm-opt's
    /// `--zero-filled-memory` and `--low-memory-unused`, 1.2 KB less as sent).
    Creates,
    /// A part shares the main module's memory, already written: nothing is assumed.
    Shares,
}

/// `wasm-opt -Oz` from `input` to `output` until it gains nothing more, with the
/// features rustc's wasm32 target emits; `names` keeps the function names (for twiggy).
pub fn optimise(
    root: &Path,
    input: &Path,
    output: &Path,
    memory: Memory,
    names: bool,
) -> Result<()> {
    let mut opt = cmd(
        root,
        "wasm-opt",
        &[
            "-Oz",
            "--converge",
            // Sections no browser reads: 0.2 KB as sent.
            "--strip-producers",
            "--strip-target-features",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-reference-types",
        ],
    );
    if memory == Memory::Creates {
        opt.args(["--zero-filled-memory", "--low-memory-unused"]);
    }
    if names {
        opt.arg("--debuginfo");
    }
    check(opt.arg(input).arg("-o").arg(output))
}

/// The glue at `entry`, with the splitter's loader it imports, as one minified module
/// at `out` (esbuild): wasm-bindgen writes its glue for reading (55 KB, 8 KB as sent),
/// Trunk, which minified it, no longer sees it, and the loader in a file of its own
/// cost a request (0.9 KB with its headers). The two import each other; a bundle of
/// both keeps the glue's exports.
fn bundle(root: &Path, entry: &Path, out: &Path) -> Result<()> {
    crate::assets::esbuild(root, entry, out, &["--bundle", "--format=esm"])
}

/// Splits the built Wasm of `bin` at its `chunk!` functions into `work`; returns the
/// main module, which wasm-bindgen then takes.
fn split(root: &Path, bin: &str, work: &Path) -> Result<PathBuf> {
    let built = root
        .join("target/wasm32-unknown-unknown/wasm-release")
        .join(format!("{bin}.wasm"));
    let input = std::fs::read(&built).with_context(|| format!("reading {}", built.display()))?;
    let main = work.join(format!("{bin}.wasm"));
    let main_module = format!("./{bin}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = work;
    options.main_out_path = &main;
    options.main_module = &main_module;
    options.target.web();
    wasm_split_cli_support::transform(options).map_err(|e| anyhow!("splitting {bin}: {e:?}"))?;
    Ok(main)
}

/// One hash of every file of the bundle, so that any change renames all of them.
fn content_hash(pkg: &Path) -> Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(pkg)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        file_name(&file)?.hash(&mut hasher);
        std::fs::read(&file)?.hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("{}: no file name", path.display()))
}

/// `text` with its one `from` replaced: none or several (the generated file changed
/// shape) stop the build.
pub fn replace(text: String, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("the generated file has {n} of `{from}`, not one"),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_part, replace};

    #[test]
    fn parts_are_known_by_the_splitters_names() {
        assert!(is_part("split_later_steps-0123abcd0123abcd.wasm"));
        assert!(is_part("chunk_0-0123abcd0123abcd.wasm"));
        assert!(!is_part("care-activation-0123abcd0123abcd_bg.wasm"));
        assert!(!is_part("__wasm_split-0123abcd0123abcd.js"));
    }

    #[test]
    fn a_name_missing_or_written_twice_stops_the_build() {
        assert_eq!(
            replace(
                "a './x.js' b, './x.jsx'".to_owned(),
                "'./x.js'",
                "'./x-1.js'"
            )
            .expect("one"),
            "a './x-1.js' b, './x.jsx'"
        );
        assert!(replace("a b".to_owned(), "'./x.js'", "y").is_err());
        assert!(replace("'./x.js' './x.js'".to_owned(), "'./x.js'", "y").is_err());
    }
}
