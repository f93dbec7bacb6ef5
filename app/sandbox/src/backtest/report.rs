//! The backtest's tables (per window, per trader, the summary against the baseline) and charts.

use super::{Model, WindowResult};
use crate::chart;
use crate::die;

pub fn tables(results: &[WindowResult], models: &[Model]) {
    println!("Per window");
    println!(
        "| window | model | liquidations | bonus paid $ | bad debt $ | insurance fund $ | worst Maint health, % of basket | hours below Maint | keeper profit after sale $ (losing rounds) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.0} | {:.2} ({}) |",
            r.window,
            r.model,
            r.liquidations,
            r.bonus_paid,
            r.bad_debt(),
            r.insurance_fund,
            r.worst_health_pct(),
            r.hours_below_maint(),
            r.keeper_profit,
            r.losing_rounds
        );
    }
    println!();
    println!(
        "Per trader (liquidations / worst Maint health as prices moved, % of the basket / final equity $), by window"
    );
    for model in models {
        let rows: Vec<&WindowResult> = results.iter().filter(|r| r.model == model.name).collect();
        let Some(first) = rows.first() else { continue };
        println!("{}:", model.name);
        print!("| trader |");
        for r in &rows {
            print!(" {} |", r.window);
        }
        println!();
        println!("|---|{}", "---:|".repeat(rows.len()));
        let mut names: Vec<String> = first.traders.iter().map(|t| t.name.clone()).collect();
        for r in &rows {
            for t in &r.traders {
                if !names.contains(&t.name) {
                    names.push(t.name.clone());
                }
            }
        }
        for name in &names {
            print!("| {name} |");
            for r in &rows {
                match r.traders.iter().find(|t| &t.name == name) {
                    Some(t) => {
                        print!(" {} / {:.1} / {:.0} |", t.liquidations, t.worst_health_pct, t.final_equity);
                    }
                    None => print!(" (no data) |"),
                }
            }
            println!();
        }
    }
    println!();
    println!("Losses: every trader whose equity went below zero (the bad debt, explained)");
    let mut any = false;
    for r in results {
        for t in r.traders.iter().filter(|t| t.min_equity < 0.0) {
            any = true;
            println!(
                "  {} {} {}: insolvent from {} (lowest equity ${:.2}); liquidations at (time, Maint % of basket after, equity $): {}",
                r.model,
                r.window,
                t.name,
                t.insolvent_at.as_deref().unwrap_or("?"),
                t.min_equity,
                t.liquidated_at.iter().map(|(w, h, e)| format!("{w} {h:.1}% ${e:.0}")).collect::<Vec<_>>().join("; ")
            );
        }
    }
    if !any {
        println!("  none");
    }
    for r in results.iter().filter(|r| r.bad_debt() > 0.005) {
        let gap: f64 = r.traders.iter().map(|t| (-t.min_equity).max(0.0)).sum();
        println!(
            "  {} {}: bad debt ${:.2} = ${gap:.2} of equity below zero when prices moved (before the keeper could act) + ${:.2} lost after (the bonus insolvent accounts pay to be liquidated)",
            r.model,
            r.window,
            r.bad_debt(),
            r.bad_debt() - gap
        );
    }
    println!();
    println!("Summary");
    println!(
        "| model | liquidations | bonus paid $ | bad debt $ | hours below Maint | Init buying power: diversified (mix) | concentrated (sol) | stablecoins (usdc) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for model in models {
        let rows: Vec<&WindowResult> = results.iter().filter(|r| r.model == model.name).collect();
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.0} | {} | {} | {} |",
            model.name,
            rows.iter().map(|r| r.liquidations).sum::<u32>(),
            rows.iter().map(|r| r.bonus_paid).sum::<f64>(),
            rows.iter().map(|r| r.bad_debt()).sum::<f64>(),
            rows.iter().map(|r| r.hours_below_maint()).sum::<f64>(),
            buying_power(&rows, "mix"),
            buying_power(&rows, "sol"),
            buying_power(&rows, "usdc"),
        );
    }
    println!(
        "  buying power: the engine's max borrow at each window's start as % of the basket's value, averaged over the windows where the whole basket has data"
    );
}

/// The mean over windows of `basket`'s max borrow as a share of its value, counting only
/// windows where every asset of the basket had data (the basket was not reweighted).
fn buying_power(rows: &[&WindowResult], basket: &str) -> String {
    let shares: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.traders.iter().find(|t| t.basket == basket && t.complete))
        .map(|t| 100.0 * t.max_borrow_usd / t.basket_usd)
        .collect();
    if shares.is_empty() {
        return "n/a".into();
    }
    format!("{:.1}%", shares.iter().sum::<f64>() / shares.len() as f64)
}

pub fn charts(results: &[WindowResult], out_dir: &std::path::Path) {
    std::fs::create_dir_all(out_dir).unwrap_or_else(|e| die(format!("{}: {e}", out_dir.display())));
    for r in results {
        let series: Vec<chart::Series> = r
            .traders
            .iter()
            .map(|t| chart::Series { name: t.name.clone(), values: t.health_pct.clone() })
            .collect();
        let title = format!(
            "Ballast backtest: {} under {} ({} .. {}), Maint health as % of the basket",
            r.window,
            r.model,
            r.times[0],
            r.times[r.times.len() - 1]
        );
        let svg = chart::render(&title, &r.times, &r.lead, &r.lead_prices, &series, &r.marks);
        let path = out_dir.join(format!("{}-{}.svg", r.window, r.model));
        std::fs::write(&path, svg).unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
    }
    let mut windows: Vec<String> = vec![];
    for r in results {
        if !windows.contains(&r.window) {
            windows.push(r.window.clone());
        }
    }
    let mut models: Vec<&str> = vec![];
    for r in results {
        if !models.contains(&r.model) {
            models.push(r.model);
        }
    }
    let panel = |metric: fn(&WindowResult) -> f64| -> Vec<(String, Vec<f64>)> {
        models
            .iter()
            .map(|m| {
                let values = windows
                    .iter()
                    .map(|w| {
                        results.iter().find(|r| r.model == *m && &r.window == w).map(metric).unwrap_or(0.0)
                    })
                    .collect();
                (m.to_string(), values)
            })
            .collect()
    };
    let svg = chart::bars(
        "Ballast backtest: every window under each model",
        &windows,
        &[
            ("liquidations", panel(|r| f64::from(r.liquidations))),
            ("bad debt $", panel(|r| r.bad_debt())),
            ("worst Maint health, % of basket", panel(|r| r.worst_health_pct())),
            ("hours below Maint", panel(|r| r.hours_below_maint())),
        ],
    );
    let path = out_dir.join("summary.svg");
    std::fs::write(&path, svg).unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
    println!("  charts  {} (a chart per window and model, and summary.svg)", out_dir.display());
}
