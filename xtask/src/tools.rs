//! The pinned tools the build and the tests need, installed only when missing (a second
//! run costs a version check each). Versions and the reasons for them are in
//! ../shared/TOOLCHAIN.md: Trunk must find each tool on PATH, or it tries to download.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const TRUNK: &str = "0.21.14";
/// Trunk only inlines, hashes and minifies pages of a few KB here (xtask builds and
/// optimises the Wasm itself), so it is built without optimisation: its own release
/// profile (fat LTO, one codegen unit) took 7 minutes of a fresh clone's run on 2
/// cores, this takes 2, and the pages it writes are the same byte for byte. Without
/// its default `update_check` feature it never asks crates.io for a newer version.
const TRUNK_PROFILE: [(&str, &str); 3] = [
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];
/// Must equal the `wasm-bindgen` pinned in Cargo.toml and Trunk.toml.
const WASM_BINDGEN: &str = "0.2.130";
pub const CHROMIUM: &str = "/usr/bin/chromium";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// What building and serving the app needs.
    Build,
    /// That, and a headless browser for the tests.
    Browser,
}

pub fn ensure_all(root: &Path, need: Need) -> Result<()> {
    wasm_target()?;
    cargo_tool(
        "trunk",
        "trunk",
        TRUNK,
        &["--locked", "--no-default-features", "--features", "rustls"],
        &TRUNK_PROFILE,
        "about 2 minutes",
    )?;
    // Without --locked: its lock file names a crate version the registry here lacks.
    cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN,
        &[],
        &[],
        "about 2 minutes",
    )?;
    node_packages(root)?;
    if need == Need::Browser {
        chromium()?;
        ffmpeg()?;
    }
    Ok(())
}

/// PATH with the project's node tools and cargo's install folder first.
pub fn path(root: &Path) -> OsString {
    search_path(vec![root.join("node_modules/.bin"), cargo_bin()])
}

fn search_path(mut first: Vec<PathBuf>) -> OsString {
    if let Some(existing) = std::env::var_os("PATH") {
        first.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(first).unwrap_or_default()
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

fn say(what: &str) {
    println!("\n==> {what}");
}

/// The first line a tool prints for `--version`, or `None` if it does not run.
fn version_of(program: &str) -> Option<String> {
    let output = Command::new(program)
        .arg("--version")
        .env("PATH", search_path(vec![cargo_bin()]))
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn run(program: &str, args: &[&str]) -> Result<()> {
    run_with(program, args, &[])
}

fn run_with(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("could not start {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if !String::from_utf8_lossy(&installed.stdout).contains(WASM_TARGET) {
        say(&format!("Adding the Rust target {WASM_TARGET}"));
        run("rustup", &["target", "add", WASM_TARGET])?;
    }
    Ok(())
}

fn cargo_tool(
    bin: &str,
    krate: &str,
    version: &str,
    args: &[&str],
    profile: &[(&str, &str)],
    takes: &str,
) -> Result<()> {
    // `<name> <version>`; twiggy calls itself `twiggy-opt` there.
    if version_of(bin).is_some_and(|v| v.split_whitespace().nth(1) == Some(version)) {
        return Ok(());
    }
    say(&format!("Installing {krate} {version} (once, {takes})"));
    let spec = format!("{krate}@{version}");
    let install = [&["install", spec.as_str(), "--force"], args].concat();
    run_with("cargo", &install, profile)
}

/// twiggy, for `cargo xtask size`'s report of where the Wasm's bytes go.
pub fn twiggy() -> Result<()> {
    cargo_tool(
        "twiggy",
        "twiggy",
        "0.8.0",
        &["--locked"],
        &[],
        "about 2 minutes",
    )
}

/// wasm-opt (npm's binaryen), esbuild and playwright-core, pinned by package-lock.json.
fn node_packages(root: &Path) -> Result<()> {
    if Command::new("npm").arg("--version").output().is_err() {
        say("Installing Node.js and npm (Debian packages)");
        apt_install(&["nodejs", "npm"])?;
    }
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&installed)) {
        (Some(l), Some(i)) => i >= l,
        _ => false,
    };
    if !fresh {
        say("Installing the node tools (npm ci: binaryen, esbuild, playwright-core)");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root)
            .status()
            .context("could not start npm")?;
        if !status.success() {
            bail!("npm ci failed ({status})");
        }
    }
    Ok(())
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    say("Installing Debian's Chromium and ChromeDriver (once, 1-2 minutes)");
    apt_install(&["chromium", "chromium-driver"])
}

/// ffmpeg makes the test videos (real MP4 files of a given length).
fn ffmpeg() -> Result<()> {
    if Path::new("/usr/bin/ffmpeg").exists() {
        return Ok(());
    }
    say("Installing Debian's ffmpeg (once, for the test videos)");
    apt_install(&["ffmpeg"])
}

pub fn apt_install(packages: &[&str]) -> Result<()> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        if is_root {
            run("apt-get", args)
        } else {
            run("sudo", &[&["apt-get"], args].concat())
        }
    };
    apt(&["update"])?;
    apt(&[&["install", "-y"], packages].concat())
}
