//! The sandbox's command line.

use clap::Parser;

/// Replays a price path on an in-process chain with the Ballast program and the keeper.
#[derive(Debug, Parser)]
#[command(name = "ballast-sandbox", version, about)]
pub struct Args {
    /// Deployment config with a [sandbox] section (relative paths resolve from the repository root).
    #[arg(long, default_value = "migrations/sandbox.toml")]
    pub config: String,
    /// Price path: a CSV of timestamps and closes (Binance or Yahoo layout).
    #[arg(long, default_value = "data/prices/SOLUSDT_1h_2022-11.csv")]
    pub csv: String,
    /// First time replayed (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Last time replayed.
    #[arg(long)]
    pub to: Option<String>,
    /// Folder the chart is written to.
    #[arg(long, default_value = "sandbox-out")]
    pub out: String,
}
