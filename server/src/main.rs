//! `care-server`: serves the portal, and (later) the operator commands of spec §7.

use care_server::config::Settings;
use care_server::startup::Application;
use clap::{Parser, Subcommand};
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(&cli.settings).await?;
            // The one line a person (or the xtask) reads to find the portal.
            println!("Care Refresh portal listening on http://{}", app.address()?);
            app.run_until_stopped().await
        }
    }
}
