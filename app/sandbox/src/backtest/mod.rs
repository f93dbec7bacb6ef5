//! The backtest: every stress window of `data/prices/windows.toml` replayed with every asset
//! moving at once, traders sized by leverage, the keeper acting with a latency; under Ballast's
//! shipped parameters and again under a static-haircut baseline. Prints a table per window and a
//! summary, and writes a chart per window and a summary chart.
//!
//! - `model`: the two parameter sets; `window`: one replay; `report`: the tables and charts.

mod model;
mod report;
mod window;

use crate::config::{repo_path, BacktestSection, SandboxSection, Window, WindowsFile};
use crate::die;
use crate::prices::{self, Series};
use ballast_sdk::deploy::DeploymentConfig;
use std::collections::BTreeMap;

pub use model::Model;
pub use window::WindowResult;

/// What the command line chose.
pub struct Options {
    pub windows: Vec<String>,
    pub keeper_every: Option<usize>,
    pub baseline: bool,
    pub out_dir: std::path::PathBuf,
}

pub async fn run(deployment: &DeploymentConfig, sandbox: &SandboxSection, opts: &Options) {
    let Some(bt) = sandbox.backtest.clone() else { die("the config has no [sandbox.backtest] section") };
    let bt = BacktestSection { keeper_every_steps: opts.keeper_every.unwrap_or(bt.keeper_every_steps), ..bt };
    let windows = load_windows(&bt, &opts.windows);
    let series = load_series(&bt);
    let mut models = vec![Model::ballast(deployment)];
    if opts.baseline {
        models.push(Model::baseline(deployment, &bt.baseline));
        models.push(Model::factors_off(deployment));
    }
    println!("Ballast backtest");
    println!(
        "  {} windows x {} models; the keeper acts every {} steps of {} s; liquidators sell at {} bps + {} bps per unit of 24-hour move",
        windows.len(),
        models.len(),
        bt.keeper_every_steps,
        bt.step_secs,
        bt.sale_discount_base_bps,
        bt.sale_discount_slope_bps
    );
    let started = std::time::Instant::now();
    let total = windows.len() * models.len();
    let mut results = vec![];
    for (m, model) in models.iter().enumerate() {
        for (w, window) in windows.iter().enumerate() {
            let n = m * windows.len() + w + 1;
            println!(
                "[{n}/{total}] {} on {} ({} .. {}): {}",
                model.name, window.name, window.from, window.to, window.what
            );
            let r = window::replay(model, sandbox, &bt, window, &series).await;
            println!(
                "        {} steps in {:.1} s: {} liquidations, bad debt ${:.2}, worst health {:.1}%",
                r.steps,
                r.elapsed.as_secs_f64(),
                r.liquidations,
                r.bad_debt(),
                r.worst_health_pct()
            );
            results.push(r);
        }
    }
    println!();
    report::tables(&results, &models);
    report::charts(&results, &opts.out_dir);
    println!("  total {:.1} s", started.elapsed().as_secs_f64());
}

fn load_windows(bt: &BacktestSection, names: &[String]) -> Vec<Window> {
    let path = repo_path(&bt.windows);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
    let all = toml::from_str::<WindowsFile>(&text)
        .unwrap_or_else(|e| die(format!("{}: {e}", path.display())))
        .window;
    for w in &all {
        for t in [&w.from, &w.to] {
            prices::parse_time(t).unwrap_or_else(|| die(format!("window {}: bad time {t}", w.name)));
        }
    }
    if names.is_empty() {
        return all;
    }
    names
        .iter()
        .map(|n| {
            all.iter().find(|w| w.name == *n).cloned().unwrap_or_else(|| {
                die(format!(
                    "no window {n} in {}; there are {}",
                    path.display(),
                    all.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}

fn load_series(bt: &BacktestSection) -> BTreeMap<String, Series> {
    bt.series
        .iter()
        .map(|(symbol, file)| {
            let path = repo_path(file);
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
            let rows = prices::load_csv(&text, None, None)
                .unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
            (symbol.clone(), Series::from_rows(&rows))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every window the backtest replays is listed in data/prices/README.md, which tells a
    /// reader what the data holds.
    #[test]
    fn the_windows_file_and_the_data_readme_agree() {
        let windows: WindowsFile =
            toml::from_str(&std::fs::read_to_string(repo_path("data/prices/windows.toml")).unwrap()).unwrap();
        let readme = std::fs::read_to_string(repo_path("data/prices/README.md")).unwrap();
        assert!(windows.window.len() >= 6);
        for w in &windows.window {
            assert!(readme.contains(&format!("`{}`", w.name)), "README lacks window {}", w.name);
        }
    }

    /// The shipped config parses, and its backtest names only listed assets with series that exist.
    #[test]
    fn the_shipped_backtest_config_is_complete() {
        let text = std::fs::read_to_string(repo_path("migrations/sandbox.toml")).unwrap();
        let deployment: DeploymentConfig = toml::from_str(&text).unwrap();
        let sandbox = toml::from_str::<crate::config::SandboxFile>(&text).unwrap().sandbox;
        let bt = sandbox.backtest.unwrap();
        let symbols: Vec<&str> = deployment.assets.iter().map(|a| a.symbol.as_str()).collect();
        for (symbol, file) in &bt.series {
            assert!(symbols.contains(&symbol.as_str()), "{symbol}");
            assert!(repo_path(file).exists(), "{file}");
        }
        for t in &bt.traders {
            assert!(symbols.contains(&t.borrow.as_str()));
            assert!(t.basket.keys().all(|s| symbols.contains(&s.as_str())));
        }
        for symbol in bt.baseline.weights.keys() {
            assert!(symbols.contains(&symbol.as_str()), "{symbol}");
        }
        assert!(!load_series(&bt).is_empty());
    }
}
