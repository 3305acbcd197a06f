//! Configuration, from flags or the environment, with embedded defaults that run the
//! portal on one machine without any set-up.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "CARE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Folder of the built browser app (Trunk's output).
    #[arg(long, env = "CARE_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,
}
