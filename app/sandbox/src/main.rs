//! The sandbox: Ballast's main job on a machine without a cluster.
//!
//! Boots an in-process chain (`ballast-testkit`'s LiteSVM, with the Ballast program compiled for
//! the host and run as a builtin), the real SPL Token and Token-2022 programs and Pyth
//! `PriceUpdateV2` accounts at their sponsored-feed addresses; applies the deployment config from `migrations/` with the same code a
//! real deployment uses; opens the config's trader accounts; replays a real price path (the FTX
//! week of SOL by default); cranks the volatility estimate and runs the liquidation keeper at
//! every step; prints a timeline and a summary, and writes an SVG chart.
//!
//!   cargo run -p ballast-sandbox -- [--config migrations/sandbox.toml]
//!       [--csv data/prices/SOLUSDT_1h_2022-11.csv] [--from 2022-11-05] [--to 2022-11-15]
//!       [--out sandbox-out]
//!   cargo run -p ballast-sandbox -- backtest [--windows ftx-2022-11,...] [--keeper-every 2]
//!       [--no-baseline] [--out backtest-out]
//!
//! - `cli`: the flags; `config`: the config's `[sandbox]` section;
//! - `sim`: the chain; `scenario`: deployment and participants;
//! - `replay`: the replay loop; `report`: the summary and the chart (`chart`);
//! - `backtest`: `ballast-sandbox backtest`, every stress window under Ballast's parameters and a
//!   static-haircut baseline.

mod backtest;
mod chart;
mod cli;
mod config;
mod prices;
mod replay;
mod report;
mod scenario;
mod sim;

use ballast_sdk::deploy::DeploymentConfig;
use clap::Parser;
use config::{repo_path, SandboxFile};

pub(crate) fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("sandbox: {msg}");
    std::process::exit(1)
}

/// What a run reads before it starts: the deployment config, its `[sandbox]` section, the flags.
struct Inputs {
    config_path: std::path::PathBuf,
    deployment: DeploymentConfig,
    sandbox: config::SandboxSection,
}

fn read_inputs(args: &cli::Args) -> Inputs {
    let config_path = repo_path(&args.config);
    let text = std::fs::read_to_string(&config_path)
        .unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())));
    let deployment: DeploymentConfig =
        toml::from_str(&text).unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())));
    let sandbox = toml::from_str::<SandboxFile>(&text)
        .unwrap_or_else(|e| die(format!("{}: {e}", config_path.display())))
        .sandbox;
    Inputs { config_path, deployment, sandbox }
}

/// The replayed price path of `args` (`--csv`, `--from`, `--to`).
fn read_path(args: &cli::Args) -> (std::path::PathBuf, Vec<(i64, f64)>) {
    let csv_path = repo_path(&args.csv);
    let from =
        args.from.as_ref().map(|s| prices::parse_time(s).unwrap_or_else(|| die(format!("bad --from {s}"))));
    let to = args.to.as_ref().map(|s| prices::parse_time(s).unwrap_or_else(|| die(format!("bad --to {s}"))));
    let csv =
        std::fs::read_to_string(&csv_path).unwrap_or_else(|e| die(format!("{}: {e}", csv_path.display())));
    let path =
        prices::load_csv(&csv, from, to).unwrap_or_else(|e| die(format!("{}: {e}", csv_path.display())));
    (csv_path, path)
}

/// Boots the chain, sets the scene up and replays `path`: the main job without its summary.
async fn replay_path(inputs: &Inputs, path: &[(i64, f64)]) -> (sim::Sim, scenario::Scene, replay::Replay) {
    let mut sim = sim::Sim::start().await;
    let now = path[0].0;
    sim.set_time(now).await;
    let mut scene = scenario::set_up(&mut sim, &inputs.deployment, &inputs.sandbox, path[0].1, now).await;
    println!("  opened  {} traders, an LP and the keeper's liquidator account", scene.traders.len());
    println!();
    let replay = replay::run(&mut sim, &mut scene, &inputs.sandbox, path).await;
    (sim, scene, replay)
}

#[tokio::main]
async fn main() {
    let args = cli::Args::parse();
    let out_dir = std::path::PathBuf::from(&args.out);
    let inputs = read_inputs(&args);
    if let Some(cli::Command::Backtest { windows, keeper_every, no_baseline }) = &args.command {
        let opts = backtest::Options {
            windows: windows.clone(),
            keeper_every: *keeper_every,
            baseline: !no_baseline,
            out_dir: if args.out == "sandbox-out" { "backtest-out".into() } else { out_dir },
        };
        backtest::run(&inputs.deployment, &inputs.sandbox, &opts).await;
        return;
    }
    let (csv_path, path) = read_path(&args);
    // An unknown replayed asset is refused before anything runs.
    let symbols: Vec<String> = inputs.deployment.assets.iter().map(|a| a.symbol.clone()).collect();
    scenario::index_of(&symbols, &inputs.sandbox.replayed_asset);

    println!("Ballast sandbox");
    println!("  config  {}", inputs.config_path.display());
    println!(
        "  prices  {} ({} rows, {} .. {})",
        csv_path.display(),
        path.len(),
        prices::format_time(path[0].0),
        prices::format_time(path[path.len() - 1].0)
    );
    let (sim, scene, replay) = replay_path(&inputs, &path).await;
    report::summary(&sim, &scene, &inputs.sandbox, &path, &replay, &out_dir).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The main job as `cargo run -p ballast-sandbox` runs it (its default config and the FTX
    /// week of SOL), on the same chain: the keeper liquidates the levered traders as SOL falls
    /// 62%, and no account ends insolvent. README's figures are this run's.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_default_replay_liquidates_and_leaves_no_bad_debt() {
        let args = cli::Args::parse_from(["ballast-sandbox"]);
        let inputs = read_inputs(&args);
        let (_, path) = read_path(&args);
        let (_, scene, replay) = replay_path(&inputs, &path).await;
        assert_eq!(replay.liquidations, 39);
        assert_eq!(replay.bankrupt, 0);
        assert_eq!(replay.bad_debt, ballast::math::I80F48::ZERO);
        let liquidated: Vec<&str> = scene
            .traders
            .iter()
            .enumerate()
            .filter(|(i, _)| replay.marks.iter().any(|(_, t)| t == i))
            .map(|(_, t)| t.name.as_str())
            .collect();
        assert_eq!(liquidated, ["careful", "levered", "degen", "spec"]);
    }
}
