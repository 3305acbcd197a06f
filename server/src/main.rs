//! `care-server`: serves the portal, and runs the operator commands of spec §7.

use anyhow::{Context, Result};
use care_rules::{Lang, Plan, Role, Timestamp};
use care_server::activation::codes::CodeKey;
use care_server::config::{DataSettings, Settings};
use care_server::db::Db;
use care_server::email::preview;
use care_server::operator;
use care_server::startup::Application;
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "care-server",
    version,
    about = "The Care Refresh portal's server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the browser app (the default).
    Serve,
    /// Create or bring the database's schema up to date, then exit (serving does it too).
    Migrate,
    /// Copy the SQLite database to FILE while the portal runs (keep `code.key` with it:
    /// without the key no unused code can be redeemed).
    Backup { file: PathBuf },
    /// Import devices or codes from a CSV file; a bad row imports nothing.
    Import {
        #[command(subcommand)]
        what: Import,
    },
    /// Work with activation codes.
    Codes {
        #[command(subcommand)]
        what: Codes,
    },
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        what: Staff,
    },
    /// See the emails the portal sends.
    Email {
        #[command(subcommand)]
        what: EmailCommand,
    },
}

#[derive(Subcommand)]
enum EmailCommand {
    /// Print a message with sample values: its subject and plain text, or its HTML.
    Preview {
        /// activated, case_opened, video_accepted, video_rejected, claim_filed,
        /// quote_ready, claim_warranty, claim_declined, claim_shipped, coverage_ending,
        /// coverage_ended
        message: String,
        #[arg(long, default_value = "pl", value_parser = parse_lang)]
        lang: Lang,
        /// The HTML alternative instead of the plain text.
        #[arg(long)]
        html: bool,
    },
}

#[derive(Subcommand)]
enum Import {
    /// Rows `serial,product_id,activated_at` (empty for a device never activated).
    Devices { file: PathBuf },
    /// Rows `code,product_id,plan` and optionally `,region` (default PL).
    Codes { file: PathBuf },
}

#[derive(Subcommand)]
enum Codes {
    /// Generate and register new codes; prints them, one per line.
    Generate {
        #[arg(long)]
        product: String,
        #[arg(long, value_parser = parse_plan)]
        plan: Plan,
        #[arg(long)]
        count: u32,
    },
}

#[derive(Subcommand)]
enum Staff {
    /// Add a staff account; the password is read from standard input.
    Add {
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a new password (read from standard input); the member's sessions end.
    Password { email: String },
    /// Disable an account: it signs in no more, and its sessions end.
    Disable { email: String },
}

fn parse_plan(s: &str) -> Result<Plan, String> {
    Plan::parse(s).ok_or_else(|| "annual or two-year".to_owned())
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| "pl or en".to_owned())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "reviewer or service".to_owned())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One clear line for the operator, whatever RUST_BACKTRACE says.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // One JSON object per line for a log collector; text for a person.
    if cli.settings.log_format == "json" {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
    let data = &cli.settings.data;
    let now = Timestamp::now();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(&cli.settings).await?;
            if let Some(demo) = app.demo_summary() {
                println!("{demo}");
            }
            // The line a person (or the xtask) reads to find the portal: keep it last.
            println!("Care Refresh portal listening on http://{}", app.address()?);
            app.run_until_stopped().await
        }
        Command::Migrate => {
            Db::open(&data.database_url()).await?;
            eprintln!("the database is up to date");
            Ok(())
        }
        Command::Backup { file } => {
            Db::open(&data.database_url()).await?.backup(&file).await?;
            eprintln!(
                "backed up to {}; keep a copy of {} too, stored apart from it: without the key no unused code can be redeemed",
                file.display(),
                data.data_dir.join("code.key").display()
            );
            Ok(())
        }
        Command::Import { what } => {
            let db = Db::open(&data.database_url()).await?;
            let (count, kind) = match what {
                Import::Devices { file } => {
                    (operator::import_devices(&db, &file, now).await?, "devices")
                }
                Import::Codes { file } => {
                    let key = code_key(data)?;
                    (
                        operator::import_codes(&db, &key, &file, now).await?,
                        "codes",
                    )
                }
            };
            eprintln!("imported {count} {kind}");
            Ok(())
        }
        Command::Codes {
            what:
                Codes::Generate {
                    product,
                    plan,
                    count,
                },
        } => {
            let db = Db::open(&data.database_url()).await?;
            let key = code_key(data)?;
            let codes = operator::generate_codes(&db, &key, &product, plan, count, now).await?;
            for code in &codes {
                println!("{code}");
            }
            eprintln!("generated {} {product} {plan} codes", codes.len());
            Ok(())
        }
        Command::Staff { what } => {
            let db = Db::open(&data.database_url()).await?;
            match what {
                Staff::Add { email, role } => {
                    operator::add_staff(&db, &email, role, &read_password()?, now).await?;
                    eprintln!("added {email} as {role}");
                }
                Staff::Password { email } => {
                    operator::set_staff_password(&db, &email, &read_password()?).await?;
                    eprintln!("set a new password for {email}; their sessions ended");
                }
                Staff::Disable { email } => {
                    operator::disable_staff(&db, &email, now).await?;
                    eprintln!("disabled {email}; their sessions ended");
                }
            }
            Ok(())
        }
        Command::Email {
            what:
                EmailCommand::Preview {
                    message,
                    lang,
                    html,
                },
        } => {
            let letter = preview::preview(&message, lang)?;
            if html {
                print!("{}", letter.html);
            } else {
                println!(
                    "To: {}\nSubject: {}\n\n{}",
                    letter.to, letter.subject, letter.text
                );
            }
            Ok(())
        }
    }
}

/// A password, one line of standard input.
fn read_password() -> Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn code_key(data: &DataSettings) -> Result<CodeKey> {
    CodeKey::load(data.code_key.as_deref(), &data.data_dir.join("code.key"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `cargo xtask run` starts `care-server serve --demo`: the flag must be taken
    /// after the subcommand as well as before it.
    #[test]
    fn serve_takes_demo_after_the_subcommand() {
        let cli = Cli::try_parse_from(["care-server", "serve", "--demo"]).expect("parses");
        assert!(cli.settings.demo);
        let cli = Cli::try_parse_from(["care-server", "serve"]).expect("parses");
        assert!(!cli.settings.demo);
    }
}
