//! `cargo xtask run`: install what is missing, build the app, serve the portal.
//! `cargo xtask test`: every check and test the project has.
//!
//! Plain `std::process` on purpose: this must compile in seconds on a fresh machine,
//! before any of the tools it installs exist.

mod assets;
mod backends;
mod bindgen_trim;
mod contract;
mod tally;
mod tools;
mod wasm;
mod weight;

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask <command>

  run     install the missing tools, build the app in release mode and serve the
          portal on its embedded defaults (CARE_ADDR, default 127.0.0.1:8080)
  test    run every check: fmt, clippy, all tests, the rules for wasm32, the app
          build and the browser tests in headless Chromium
  size    build the app, print the compressed size of each bundle's first load and
          where its bytes go (twiggy, by crate; also written to size-report.txt)
  setup   only install the missing tools
  scale [FILTER…]
          the tests again with the server on a throwaway PostgreSQL and S3 server (moto),
          with cargo test's arguments, e.g. `cargo xtask scale instances`
  contract
          only the API contract run: schemathesis against a fresh server";

fn main() {
    let started = Instant::now();
    let command = std::env::args().nth(1).unwrap_or_default();
    let root = root();
    let outcome = match command.as_str() {
        "run" => run(&root),
        "test" => test(&root),
        "setup" => tools::ensure_all(&root, tools::Need::Browser),
        "size" => size(&root),
        "scale" => scale(&root, std::env::args().skip(2).collect(), None),
        "contract" => contract_only(&root),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    match outcome {
        Ok(()) => {
            step(&format!(
                "cargo xtask {command} finished in {:.0} s",
                started.elapsed().as_secs_f64()
            ));
            if matches!(command.as_str(), "test" | "scale" | "contract") {
                println!("{}", tally::closing_line());
            }
        }
        Err(e) => {
            eprintln!("\ncargo xtask {command} failed: {e:#}");
            std::process::exit(1);
        }
    }
}

/// The server's tests (those `filter` selects) on a throwaway PostgreSQL and moto.
fn scale(root: &Path, filter: Vec<String>, services: Option<&backends::Services>) -> Result<()> {
    let started;
    let services = match services {
        Some(running) => running,
        None => {
            started = backends::Services::start(root)?;
            &started
        }
    };
    let backends = backends::Backends::start(root)?;
    // The whole workspace, for the reason `build_tests` gives: the rules' and the app's
    // own tests run again too, in seconds.
    let mut tests = cmd(root, "cargo", &["test", "--workspace", "--"]);
    tests
        .args(filter)
        .envs(backends.env.iter().map(|(k, v)| (k, v)))
        .envs(services.env.iter().map(|(k, v)| (k, v)));
    tally::check_counted(&mut tests)
}

/// The workspace root, whatever directory cargo was called from.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn step(what: &str) {
    println!("\n==> {what}");
}

/// A command run in the workspace root with the project's tools on PATH.
///
/// Cargo's incremental caches (2.5 GB after a test run) only pay off while editing, so
/// the commands here go without them: a fresh machine needs that much less disk.
fn cmd(root: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(root)
        .env("PATH", tools::path(root))
        .env("CARGO_INCREMENTAL", "0");
    c
}

/// Builds every test and binary as `cargo test --workspace` does, which leaves the
/// debug server at `target/debug/care-server`. Every cargo call of the test run selects
/// the whole workspace: cargo picks a crate's features from the packages selected, so a
/// `--package care-server` would compile the server and its dependencies a second time.
fn build_tests(root: &Path) -> Result<()> {
    check(&mut cmd(
        root,
        "cargo",
        &["test", "--workspace", "--no-run"],
    ))
}

/// The command line, for messages.
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command to its end, failing with its name when it fails.
fn check(command: &mut Command) -> Result<()> {
    let what = describe(command);
    let status = command
        .status()
        .with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(())
}

/// Builds the owners' app, one bundle per journey (`care_rules::journey`): home into
/// `dist/`, the others into `dist/bundle/<journey>/`, then the staff console into
/// `dist/staff/` (home first: Trunk empties its output folder). Trunk makes each page;
/// `wasm` builds, splits and links the Wasm.
fn build_app(root: &Path) -> Result<()> {
    step("Building the browser apps (release, split into parts, wasm-opt)");
    wasm::build(root)?;
    let journeys = assets::JOURNEYS.iter().map(|journey| {
        (
            "index.html",
            *journey,
            format!("care-{journey}"),
            root.join("dist/bundle").join(journey),
            format!("/bundle/{journey}/"),
        )
    });
    let bundles = std::iter::once((
        "index.html",
        "home",
        "care-portal".to_owned(),
        root.join("dist"),
        "/".to_owned(),
    ))
    .chain(journeys)
    .chain([(
        "staff/index.html",
        "staff",
        "care-staff".to_owned(),
        root.join("dist/staff"),
        "/staff/".to_owned(),
    )]);
    for (source, name, bin, dist, url) in bundles {
        let page = assets::release_page(root, source, name)?;
        let mut trunk = cmd(root, "trunk", &["build"]);
        trunk
            .arg(&page)
            .args(["--release", "--dist"])
            .arg(&dist)
            .args(["--public-url", &url]);
        check(&mut trunk)?;
        wasm::place(root, &bin, &dist, &url)?;
        if name != "home" {
            assets::precompress(&dist)?;
        }
    }
    assets::service_worker(&root.join("dist"))?;
    assets::minify_worker(root, &root.join("dist"))?;
    assets::precompress(&root.join("dist"))
}

fn size(root: &Path) -> Result<()> {
    tools::ensure_all(root, tools::Need::Build)?;
    build_app(root)?;
    step("First load of the home bundle (/, /terms)");
    assets::report(&root.join("dist"))?;
    for journey in assets::JOURNEYS {
        step(&format!("First load of the {journey} bundle"));
        assets::report(&root.join("dist/bundle").join(journey))?;
    }
    step("Size of the staff console (its own bundle, under /staff)");
    assets::report(&root.join("dist/staff"))?;
    weight::report(root)
}

fn run(root: &Path) -> Result<()> {
    tools::ensure_all(root, tools::Need::Build)?;
    build_app(root)?;
    step("Building the server (release)");
    check(&mut cmd(
        root,
        "cargo",
        &["build", "--release", "--package", "care-server"],
    ))?;
    step("Starting the portal (Ctrl-C stops it)");
    check(&mut cmd(
        root,
        root.join("target/release/care-server"),
        &["serve", "--demo"],
    ))
}

fn test(root: &Path) -> Result<()> {
    tools::ensure_all(root, tools::Need::Browser)?;
    step("Formatting (cargo fmt --check)");
    check(&mut cmd(root, "cargo", &["fmt", "--all", "--", "--check"]))?;
    step("Lints (clippy, warnings are errors)");
    check(&mut cmd(
        root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    check(&mut cmd(
        root,
        "cargo",
        &[
            "clippy",
            "--package",
            "care-portal",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    // Stripe's stand-in and an SMTP server, for both server runs.
    let services = backends::Services::start(root)?;
    step("Tests of every crate (the server on SQLite and the local disk; localstripe, aiosmtpd)");
    tally::check_counted(
        cmd(root, "cargo", &["test", "--workspace"]).envs(services.env.iter().map(|(k, v)| (k, v))),
    )?;
    step("The server's tests again, on PostgreSQL and S3-compatible storage (moto)");
    scale(root, Vec::new(), Some(&services))?;
    step("Component tests of the app in headless Chromium (wasm-bindgen-test)");
    let mut components = cmd(
        root,
        "cargo",
        &[
            "test",
            "--package",
            "care-portal",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    components.env("CHROMEDRIVER", "/usr/bin/chromedriver");
    tally::check_counted(&mut components)?;
    step("The rules crate for wasm32-unknown-unknown");
    check(&mut cmd(
        root,
        "cargo",
        &[
            "build",
            "--package",
            "care-rules",
            "--target",
            "wasm32-unknown-unknown",
        ],
    ))?;
    build_app(root)?;
    step("Browser tests against a real server (headless Chromium)");
    build_tests(root)?;
    // The browser tests pay through localstripe and its mock Stripe.js.
    let stripe = services.stripe_url.clone();
    let payments = [
        ("CARE_STRIPE_SECRET_KEY", "sk_test_e2e".to_owned()),
        ("CARE_STRIPE_PUBLISHABLE_KEY", "pk_test_e2e".to_owned()),
        ("CARE_STRIPE_WEBHOOK_SECRET", "whsec_e2e".to_owned()),
        ("CARE_STRIPE_API_URL", stripe.clone()),
        ("CARE_STRIPE_JS_URL", format!("{stripe}/js.stripe.com/v3/")),
    ]
    .map(|(k, v)| (k.to_owned(), v));
    let server = TestServer::start(root, "e2e-data", true, &payments)?;
    let mut node = cmd(root, "node", &["--test", "--test-concurrency=1", "e2e/"]);
    node.env("BASE_URL", &server.url)
        .env("CHROMIUM", tools::CHROMIUM)
        // The tests seed their own devices, codes and staff with the operator commands.
        .env("CARE_SERVER_BIN", root.join("target/debug/care-server"))
        .env("CARE_DATA_DIR", &server.data)
        .env("E2E_ARTIFACTS", root.join("e2e/artifacts"))
        .env("CARE_TEST_STRIPE", &stripe);
    tally::check_counted(&mut node)?;
    drop(server);
    drop(services);
    step("The API contract, checked from outside (schemathesis)");
    let server = TestServer::start(root, "contract-data", false, &[])?;
    contract::run(root, &server)
}

/// `cargo xtask contract`: the schemathesis run alone, against a fresh debug server.
fn contract_only(root: &Path) -> Result<()> {
    tools::ensure_all(root, tools::Need::Build)?;
    build_tests(root)?;
    let server = TestServer::start(root, "contract-data", false, &[])?;
    contract::run(root, &server)
}

/// The debug server on a free port with its own data folder under `target/` (and the
/// test clock when asked), for the browser tests and the contract run; killed when
/// dropped.
pub struct TestServer {
    child: Child,
    pub url: String,
    pub data: PathBuf,
}

impl TestServer {
    fn start(
        root: &Path,
        folder: &str,
        test_clock: bool,
        envs: &[(String, String)],
    ) -> Result<TestServer> {
        let data = root.join("target").join(folder);
        // A clean database and upload area for every run.
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        std::fs::create_dir_all(&data)?;
        let mut child = cmd(root, root.join("target/debug/care-server"), &["serve"])
            .env("CARE_ADDR", "127.0.0.1:0")
            .env("CARE_WEB_DIR", root.join("dist"))
            .env("CARE_DATA_DIR", &data)
            .env("CARE_TEST_CLOCK", if test_clock { "1" } else { "0" })
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .spawn()
            .context("could not start the server")?;
        let stdout = child.stdout.take().context("no server output")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                bail!("the server stopped before it printed its address");
            };
            let line = line?;
            println!("{line}");
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.trim().to_owned();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(TestServer { child, url, data })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
