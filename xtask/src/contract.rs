//! The API contract, checked from outside: schemathesis (PyPI) fuzzes the served OpenAPI
//! document and checks every answer against it (status, media type, schema, headers),
//! anonymously and signed in as each staff role, with real ids among the random ones
//! (`e2e/contract-seed.mjs`). Bounded by examples per operation, not by time.

use crate::{check, cmd, step};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCHEMATHESIS: &str = "schemathesis==4.32.0";
/// Test cases per operation and phase; the whole contract run stays within a few
/// minutes on 2 cores.
const MAX_EXAMPLES: &str = "25";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_schema_conformance,response_headers_conformance";

/// schemathesis in a venv of the project's, installed once.
fn schemathesis(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/tools/schemathesis");
    let st = venv.join("bin/st");
    let marker = venv.join(SCHEMATHESIS.replace('=', "_"));
    if st.exists() && marker.exists() {
        return Ok(st);
    }
    step(&format!(
        "Installing {SCHEMATHESIS} (PyPI) for the contract run"
    ));
    check(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    check(Command::new(venv.join("bin/pip")).args(["install", "--quiet", SCHEMATHESIS]))?;
    std::fs::write(&marker, "")?;
    Ok(st)
}

/// Seeds `server` and runs schemathesis three times: anonymous, reviewer, service.
pub fn run(root: &Path, server: &crate::TestServer) -> Result<()> {
    let st = schemathesis(root)?;
    let out = root.join("target/contract");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    step("Seeding the contract run's server");
    check(
        cmd(root, "node", &["e2e/contract-seed.mjs"])
            .env("BASE_URL", &server.url)
            .env("CARE_SERVER_BIN", root.join("target/debug/care-server"))
            .env("CARE_DATA_DIR", &server.data)
            .env("OUT_DIR", &out),
    )?;
    let schema = format!("{}/api/openapi.json", server.url);
    let config = out.join("schemathesis.toml");
    for who in ["anonymous", "reviewer", "service"] {
        step(&format!("schemathesis: the API as {who}"));
        let mut run = cmd(root, &st, &[]);
        // tus chunks (`application/offset+octet-stream`) are serialised as raw bytes.
        run.env("SCHEMATHESIS_HOOKS", "contract_hooks")
            .env("PYTHONPATH", root.join("e2e"));
        run.arg("--config-file").arg(&config).args([
            "run",
            &schema,
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "1",
            "--report",
            "junit",
            "--report-dir",
        ]);
        run.arg(out.join(who));
        if who != "anonymous" {
            let cookie = std::fs::read_to_string(out.join(format!("{who}.cookie")))
                .context("the seeded staff cookie")?;
            // Signing out would end the session the rest of the run needs.
            run.args(["--exclude-path", "/api/staff/logout", "-H"])
                .arg(format!("Cookie: {}", cookie.trim()));
        }
        crate::tally::check_counted(&mut run)?;
    }
    Ok(())
}
