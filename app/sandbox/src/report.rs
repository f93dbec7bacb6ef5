//! The summary after the replay, and the SVG chart.

use crate::chart;
use crate::config::SandboxSection;
use crate::die;
use crate::replay::{usd, Replay};
use crate::scenario::Scene;
use crate::sim::Sim;
use ballast::math::I80F48;
use ballast_sdk::Chain;

pub async fn summary(
    sim: &Sim,
    scene: &Scene,
    sandbox: &SandboxSection,
    path: &[(i64, f64)],
    replay: &Replay,
    out_dir: &std::path::Path,
) {
    let symbols = &scene.symbols;
    let snap = sim.snapshot(scene.group).await;
    println!();
    println!("Summary");
    println!(
        "  steps replayed         {} ({:.1} s, {:.1} ms a step)",
        path.len(),
        replay.elapsed.as_secs_f64(),
        replay.elapsed.as_secs_f64() * 1e3 / path.len() as f64
    );
    println!(
        "  {} moved              {:.2} -> {:.2} (low {:.2})",
        sandbox.replayed_asset,
        path[0].1,
        path[path.len() - 1].1,
        replay.price_series.iter().cloned().fold(f64::INFINITY, f64::min)
    );
    println!("  liquidations           {}", replay.liquidations);
    println!(
        "  bonus paid             ${:.2} (liquidators and the insurance fund's share)",
        usd(replay.bonus_paid)
    );
    println!("  bankruptcies           {}", replay.bankrupt);
    println!("  bad debt               ${:.2}", usd(replay.bad_debt));
    for a in &snap.assets {
        let fund = a.state.lending_state().insurance_fund;
        if fund > I80F48::ZERO {
            println!(
                "  insurance fund {:<7} {:.6} {}",
                symbols[a.state.asset_index as usize],
                fund.to_num::<f64>() / 10f64.powi(i32::from(a.state.decimals)),
                symbols[a.state.asset_index as usize]
            );
        }
    }
    for a in snap.assets.iter().filter(|a| a.state.config.liquidation_horizon_secs > 0) {
        let sigma = a.state.realized_variance.get().to_num::<f64>().sqrt();
        println!(
            "  {:<6} volatility      realised {:.0}% annualised (floor {:.0}%); horizon move sigma*sqrt(h) {:.2}%",
            symbols[a.state.asset_index as usize],
            sigma * 100.0,
            f64::from(a.state.config.sigma_floor_bps) / 100.0,
            a.state.horizon_vol.get().to_num::<f64>() * 100.0
        );
    }
    let s = &replay.keeper.stats;
    println!(
        "  keeper                 {} rounds, {} account scans, {} liquidations, {} write-offs, {} failed sends",
        s.rounds, s.accounts_scanned, s.liquidations, s.bankruptcies_resolved, s.failed_sends
    );
    if scene.market_count > 0 {
        println!(
            "  derivatives            {} of the liquidations took over derivatives, {} settlement prices recorded, {} PnL settlements, {} risk arrays cranked",
            s.derivative_liquidations, s.expiry_settlements, s.pnl_settlements, s.risk_array_cranks
        );
    }
    for n in 0..scene.market_count {
        let key = ballast_sdk::ix::market_address(&scene.group, n);
        if let Ok(Some(raw)) = sim.chain.account(&key).await {
            if let Ok(m) = ballast_sdk::decode::<ballast::state::Market>(&key, &raw.data, "Market") {
                let decimals = scene.snapshot.asset(m.quote_index).map(|a| a.state.decimals).unwrap_or(6);
                let scale = 10f64.powi(i32::from(decimals));
                let price = m.settlement_per_contract().map(|p| p as f64 / scale).unwrap_or(f64::NAN);
                let kind = match m.config.market_kind() {
                    Some(ballast::state::MarketKind::Call) => "call",
                    Some(ballast::state::MarketKind::Put) => "put",
                    _ => "future",
                };
                println!(
                    "  {:<22} settled at {price:.2} per contract (update of {}), open interest {}",
                    format!("{kind} #{n}"),
                    crate::prices::format_time(m.settlement_publish_ts),
                    m.open_interest
                );
            }
        }
    }
    for t in &scene.traders {
        println!(
            "  {:<8} liquidated {:>3} times, final maint health ${:.2}",
            t.name,
            t.liquidations,
            t.health.last().unwrap()
        );
    }

    std::fs::create_dir_all(out_dir).unwrap_or_else(|e| die(format!("{}: {e}", out_dir.display())));
    let series: Vec<chart::Series> = scene
        .traders
        .iter()
        .map(|t| chart::Series { name: t.name.clone(), values: t.health.clone() })
        .collect();
    let times = &replay.times;
    let title = format!(
        "Ballast sandbox: {} replay, {} .. {}",
        sandbox.replayed_asset,
        times[0],
        times[times.len() - 1]
    );
    let svg =
        chart::render(&title, times, &sandbox.replayed_asset, &replay.price_series, &series, &replay.marks);
    let chart_path = out_dir.join("sandbox.svg");
    std::fs::write(&chart_path, svg).unwrap_or_else(|e| die(format!("{}: {e}", chart_path.display())));
    println!("  chart                  {}", chart_path.display());
}
