//! The replay: every step moves the clock and the oracles, cranks the volatility estimate, runs
//! a keeper round and records each trader's health.

use crate::config::SandboxSection;
use crate::die;
use crate::prices;
use crate::scenario::Scene;
use crate::sim::Sim;
use ballast::health_accounts::OraclePolicy;
use ballast::math::I80F48;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::snapshot::account_health;
use ballast_sdk::{ix, Chain};

/// What the replay saw.
pub struct Replay {
    pub keeper: Keeper,
    /// Formatted step times, and the replayed asset's price at each.
    pub times: Vec<String>,
    pub price_series: Vec<f64>,
    /// (step, trader) of every liquidation.
    pub marks: Vec<(usize, usize)>,
    pub liquidations: u32,
    pub bankrupt: u32,
    pub bonus_paid: I80F48,
    pub bad_debt: I80F48,
    pub elapsed: std::time::Duration,
}

pub fn usd(v: I80F48) -> f64 {
    v.to_num::<f64>() / 1e6
}

pub async fn run(sim: &mut Sim, scene: &mut Scene, sandbox: &SandboxSection, path: &[(i64, f64)]) -> Replay {
    let group = scene.group;
    let mut keeper = Keeper::new(
        group,
        scene.liquidator.insecure_clone(),
        scene.liquidator_account,
        KeeperConfig::default(),
    );
    let vol_assets: Vec<u16> = scene
        .snapshot
        .assets
        .iter()
        .filter(|a| a.state.config.liquidation_horizon_secs > 0)
        .map(|a| a.state.asset_index)
        .collect();
    let alpha = 2.0 / (f64::from(sandbox.ema_hours.max(1)) + 1.0);
    let mut ema = path[0].1;
    let mut times = vec![];
    let mut price_series = vec![];
    let mut marks = vec![];
    let (mut total_liquidations, mut total_bankrupt) = (0u32, 0u32);
    let (mut bonus_paid, mut bad_debt) = (I80F48::ZERO, I80F48::ZERO);
    let traders = &mut scene.traders;
    let started = std::time::Instant::now();
    println!(
        "{:<17} {:>9}  {}",
        "time (UTC)",
        sandbox.replayed_asset,
        traders.iter().map(|t| format!("{:>12}", t.name)).collect::<String>()
    );
    println!(
        "{:<17} {:>9}  {}",
        "",
        "USD",
        traders.iter().map(|_| format!("{:>12}", "maint $")).collect::<String>()
    );
    for (step, (t, close)) in path.iter().enumerate() {
        let now = *t;
        sim.set_time(now).await;
        ema += alpha * (close - ema);
        for (i, feed) in scene.feeds.iter().enumerate() {
            let (p, e) = if i as u16 == scene.replayed {
                (*close, ema)
            } else {
                (scene.prices_now[i], scene.prices_now[i])
            };
            sim.set_price(*feed, p, e, sandbox.conf_bps, now);
        }
        let snap = sim.snapshot(group).await;
        for i in &vol_assets {
            // at most once per interval; "too soon" is the expected refusal between samples
            let _ = sim.chain.send(&[ix::update_volatility(snap.asset(*i).unwrap())], &sim.payer, &[]).await;
        }
        let round = keeper.run_round(&sim.chain).await.unwrap_or_else(|e| die(e));
        total_liquidations += round.liquidated.len() as u32;
        total_bankrupt += round.bankrupt.len() as u32;
        bonus_paid += round.bonus_paid;
        bad_debt += round.bad_debt;

        let snap = sim.snapshot(group).await;
        let priced = snap.priced(OraclePolicy::Liquidation).unwrap();
        let mut events = vec![];
        for (ti, tr) in traders.iter_mut().enumerate() {
            let state = sim.margin_account(tr.account).await;
            let h = account_health(&priced, &state).map(|h| usd(h.maint)).unwrap_or(f64::NAN);
            tr.health.push(h);
            if round.liquidated.contains(&tr.account) {
                tr.liquidations += 1;
                marks.push((step, ti));
                events.push(format!("  ! liquidated {:<8} maint health now {h:>12.2}", tr.name));
            }
            if round.bankrupt.contains(&tr.account) {
                events.push(format!("  ! bankrupt   {:<8} debt written off", tr.name));
            }
        }
        for (k, e) in &round.failures {
            events.push(format!("  ? keeper could not liquidate {k}: {e}"));
        }
        times.push(prices::format_time(now));
        price_series.push(*close);
        if step % 24 == 0 || !events.is_empty() || step + 1 == path.len() {
            println!(
                "{:<17} {:>9.2}  {}",
                prices::format_time(now),
                close,
                traders.iter().map(|t| format!("{:>12.0}", t.health.last().unwrap())).collect::<String>()
            );
            for e in events {
                println!("{e}");
            }
        }
    }
    Replay {
        keeper,
        times,
        price_series,
        marks,
        liquidations: total_liquidations,
        bankrupt: total_bankrupt,
        bonus_paid,
        bad_debt,
        elapsed: started.elapsed(),
    }
}
