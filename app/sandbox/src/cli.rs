//! The sandbox's command line.

use clap::{Parser, Subcommand};

/// Replays a price path on an in-process chain with the Ballast program and the keeper.
#[derive(Debug, Parser)]
#[command(name = "ballast-sandbox", version, about)]
pub struct Args {
    /// Deployment config with a [sandbox] section (relative paths resolve from the repository root).
    #[arg(long, global = true, default_value = "migrations/sandbox.toml")]
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
    #[arg(long, global = true, default_value = "sandbox-out")]
    pub out: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replays every stress window of the config's `[sandbox.backtest]` (or those named) under
    /// Ballast's parameters and a static-haircut baseline; prints a table and writes charts.
    Backtest {
        /// Window names, comma-separated (default: every window of the windows file).
        #[arg(long, value_delimiter = ',')]
        windows: Vec<String>,
        /// Overrides `keeper_every_steps` (the keeper's latency, in steps).
        #[arg(long)]
        keeper_every: Option<usize>,
        /// Only Ballast's parameters, without the baseline.
        #[arg(long)]
        no_baseline: bool,
    },
}
