//! The backends of the second server test run: a PostgreSQL cluster and an
//! S3-compatible server (moto), both throwaway, on loopback, under `target/`; and
//! Stripe's stand-in (localstripe) for both runs. Whatever is missing is installed:
//! Debian's `postgresql` package, moto and localstripe from PyPI into venvs.

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The S3 test double, pinned.
const MOTO: &str = "moto[server]==5.2.5";
/// Stripe's stand-in, pinned.
const LOCALSTRIPE: &str = "localstripe==1.15.10";
/// The SMTP server of the mail tests, pinned.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";
const BUCKET: &str = "care-test";

pub struct Backends {
    postgres: Child,
    moto: Child,
    dir: PathBuf,
    /// The environment the server tests read (`CARE_TEST_POSTGRES`, `CARE_TEST_S3`,
    /// and the `AWS_*` settings of the S3 client).
    pub env: Vec<(String, String)>,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PostgreSQL program; as root it runs as the `postgres` user (PostgreSQL refuses root).
fn pg_command(bin: &Path, program: &str) -> Command {
    if is_root() {
        // In /usr/sbin, which a PATH (`su` without `-`, some CI images) may lack.
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser"]
            .into_iter()
            .map(Path::new)
            .find(|p| p.exists())
            .unwrap_or(Path::new("runuser"));
        let mut c = Command::new(runuser);
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

/// The newest installed PostgreSQL's programs, installing Debian's package if none is.
fn postgres_bin() -> Result<PathBuf> {
    let find = || -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop()
    };
    if let Some(bin) = find() {
        return Ok(bin);
    }
    println!("\n==> Installing PostgreSQL (Debian's postgresql package)");
    crate::tools::apt_install(&["postgresql"])?;
    find().context("PostgreSQL is still missing after installing it")
}

/// The program `bin` of the PyPI package `pin`, in a venv of the project's
/// (`target/tools/<name>`), installed once.
fn python_tool(root: &Path, name: &str, pin: &str, bin: &str) -> Result<PathBuf> {
    let venv = root.join("target/tools").join(name);
    let program = venv.join("bin").join(bin);
    let marker = venv.join(pin.replace(['[', ']', '='], "_"));
    if program.exists() && marker.exists() {
        return Ok(program);
    }
    println!("\n==> Installing {pin} (from PyPI)");
    crate::check(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    crate::check(Command::new(venv.join("bin/pip")).args(["install", "--quiet", pin]))?;
    std::fs::write(&marker, "")?;
    Ok(program)
}

/// The real servers both server test runs talk to, on free loopback ports: localstripe
/// for payments (`CARE_TEST_STRIPE`) and aiosmtpd writing a Maildir for mail
/// (`CARE_TEST_SMTP`, `CARE_TEST_MAILDIR`); stopped when dropped.
pub struct Services {
    stripe: Child,
    mail: Child,
    maildir: PathBuf,
    /// localstripe's address (also in `env`).
    pub stripe_url: String,
    pub env: Vec<(String, String)>,
}

impl Services {
    pub fn start(root: &Path) -> Result<Services> {
        let localstripe = python_tool(root, "localstripe", LOCALSTRIPE, "localstripe")?;
        let aiosmtpd = python_tool(root, "aiosmtpd", AIOSMTPD, "aiosmtpd")?;
        let stripe_port = free_port()?;
        let stripe = Command::new(localstripe)
            .args(["--port", &stripe_port.to_string(), "--from-scratch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting localstripe")?;
        // aiosmtpd makes the Maildir itself and refuses one that exists.
        let maildir = root.join("target/test-maildir");
        if maildir.exists() {
            std::fs::remove_dir_all(&maildir)?;
        }
        let smtp_port = free_port()?;
        let mail = Command::new(aiosmtpd)
            .args(["-n", "-u", "-l", &format!("127.0.0.1:{smtp_port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting aiosmtpd")?;
        let stripe_url = format!("http://127.0.0.1:{stripe_port}");
        let services = Services {
            stripe,
            mail,
            maildir: maildir.clone(),
            stripe_url: stripe_url.clone(),
            env: vec![
                ("CARE_TEST_STRIPE".to_owned(), stripe_url),
                (
                    "CARE_TEST_SMTP".to_owned(),
                    format!("127.0.0.1:{smtp_port}"),
                ),
                (
                    "CARE_TEST_MAILDIR".to_owned(),
                    maildir.display().to_string(),
                ),
            ],
        };
        for (what, port) in [("localstripe", stripe_port), ("aiosmtpd", smtp_port)] {
            wait_until(what, || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            })?;
        }
        Ok(services)
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        for child in [&mut self.stripe, &mut self.mail] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) -> Result<()> {
    let started = Instant::now();
    while !ready() {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("{what} did not start within a minute");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

impl Backends {
    pub fn start(root: &Path) -> Result<Backends> {
        let bin = postgres_bin()?;
        let moto_server = python_tool(root, "moto", MOTO, "moto_server")?;
        let dir = root.join("target/backends");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        if is_root() {
            crate::check(Command::new("chown").args(["-R", "postgres"]).arg(&dir))?;
        }
        let data = dir.join("pgdata");
        crate::check(
            pg_command(&bin, "initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", "care", "--auth=trust", "--no-sync"])
                .stdout(Stdio::null()),
        )?;
        let pg_port = free_port()?;
        let postgres = pg_command(&bin, "postgres")
            .arg("-D")
            .arg(&data)
            .args(["-p", &pg_port.to_string(), "-k"])
            .arg(&dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=300",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting PostgreSQL")?;
        let s3_port = free_port()?;
        let moto = Command::new(&moto_server)
            .args(["-H", "127.0.0.1", "-p", &s3_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting moto")?;
        let mut backends = Backends {
            postgres,
            moto,
            dir,
            env: Vec::new(),
        };
        let isready = bin.join("pg_isready");
        wait_until("PostgreSQL", || {
            Command::new(&isready)
                .args(["-q", "-h", "127.0.0.1", "-p", &pg_port.to_string()])
                .status()
                .is_ok_and(|s| s.success())
        })?;
        let endpoint = format!("http://127.0.0.1:{s3_port}");
        // The bucket, made with a plain PUT once the server answers.
        let make_bucket = format!(
            "import urllib.request; urllib.request.urlopen(urllib.request.Request('{endpoint}/{BUCKET}', method='PUT'))"
        );
        wait_until("moto", || {
            Command::new("python3")
                .args(["-c", &make_bucket])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })?;
        backends.env = [
            (
                "CARE_TEST_POSTGRES",
                format!("postgres://care@127.0.0.1:{pg_port}/postgres"),
            ),
            ("CARE_TEST_S3", format!("s3://{BUCKET}")),
            ("AWS_ENDPOINT", endpoint),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(backends)
    }
}

impl Drop for Backends {
    fn drop(&mut self) {
        let _ = self.postgres.kill();
        let _ = self.moto.kill();
        let _ = self.postgres.wait();
        let _ = self.moto.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
