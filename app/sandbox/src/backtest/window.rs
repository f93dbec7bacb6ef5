//! One window under one model: a fresh chain, the deployment, traders sized by leverage, then
//! every step moves every oracle (each series holding its last close), cranks the volatility
//! estimates, lets the keeper act every `keeper_every_steps` and records each trader.

use super::Model;
use crate::config::{BacktestSection, SandboxSection, Window};
use crate::prices::{self, Series};
use crate::replay::usd;
use crate::scenario::{self, Deployed};
use crate::sim::Sim;
use crate::{config::BacktestTrader, die};
use anchor_lang::prelude::Pubkey;
use ballast::health_accounts::{OraclePolicy, PricedAssets};
use ballast::math::I80F48;
use ballast::state::MarginAccount;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::snapshot::account_health;
use ballast_sdk::{ix, Chain, GroupSnapshot};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;

/// A price older than this at a window's start means the asset has no data there.
const MAX_START_AGE_SECS: i64 = 3 * 86_400;

/// One trader's replay.
pub struct TraderResult {
    pub name: String,
    /// The basket's name ("sol", "mix").
    pub basket: String,
    /// Whether every asset of the basket had data (else it was reweighted over the rest).
    pub complete: bool,
    pub account: Pubkey,
    /// USD at the start: the basket and the engine's max borrow.
    pub basket_usd: f64,
    pub max_borrow_usd: f64,
    /// Maint health after every step (after the keeper's round), as % of the basket's starting
    /// value; and the lowest as prices moved (before the keeper could act).
    pub health_pct: Vec<f64>,
    pub worst_health_pct: f64,
    /// Hours that began with the account below Maint (until the keeper acted).
    pub hours_below_maint: f64,
    pub liquidations: u32,
    /// Equity at spot at the end (USD); below zero is a deficit nobody has written off yet.
    pub final_equity: f64,
    /// The lowest equity seen (USD), and when it first went below zero.
    pub min_equity: f64,
    pub insolvent_at: Option<String>,
    /// (time, Maint health % of the basket, equity $) at each of its liquidations.
    pub liquidated_at: Vec<(String, f64, f64)>,
}

pub struct WindowResult {
    pub model: &'static str,
    pub window: String,
    pub steps: usize,
    pub times: Vec<String>,
    /// The asset that fell furthest in the window, and its price at every step.
    pub lead: String,
    pub lead_prices: Vec<f64>,
    pub traders: Vec<TraderResult>,
    /// (step, trader) of every liquidation.
    pub marks: Vec<(usize, usize)>,
    pub liquidations: u32,
    pub bankruptcies: u32,
    /// USD: bonus paid by liquidatees (the liquidators' and the insurance fund's share), debt
    /// written off, and the insurance funds at the end.
    pub bonus_paid: f64,
    pub written_off: f64,
    pub insurance_fund: f64,
    /// USD: what the keeper's liquidations earned after selling the seized collateral at the
    /// discount, and how many keeper rounds lost money so.
    pub keeper_profit: f64,
    pub losing_rounds: u32,
    pub elapsed: std::time::Duration,
}

impl WindowResult {
    /// Debt written off plus deficits still open at the end (insolvent accounts not yet
    /// bankrupt): every dollar lenders lose.
    pub fn bad_debt(&self) -> f64 {
        self.written_off + self.traders.iter().map(|t| (-t.final_equity).max(0.0)).sum::<f64>()
    }

    pub fn worst_health_pct(&self) -> f64 {
        self.traders.iter().map(|t| t.worst_health_pct).fold(f64::INFINITY, f64::min)
    }

    pub fn hours_below_maint(&self) -> f64 {
        self.traders.iter().map(|t| t.hours_below_maint).sum()
    }
}

/// Every asset's price at `t`: its series' last close, or the constant price when it has no
/// series or no data before `t`.
fn prices_at(
    symbols: &[String],
    series: &BTreeMap<String, Series>,
    constants: &BTreeMap<String, f64>,
    t: i64,
) -> Vec<f64> {
    symbols
        .iter()
        .map(|s| {
            series
                .get(s)
                .and_then(|x| x.at(t))
                .or_else(|| constants.get(s).copied())
                .unwrap_or_else(|| die(format!("{s} has neither a price series nor a constant price")))
        })
        .collect()
}

/// The symbols whose series has a close within `MAX_START_AGE_SECS` before `t`.
fn priced_at(series: &BTreeMap<String, Series>, t: i64) -> Vec<String> {
    series
        .iter()
        .filter(|(_, s)| {
            let n = s.known_at.partition_point(|k| *k <= t);
            n > 0 && t - s.known_at[n - 1] <= MAX_START_AGE_SECS
        })
        .map(|(k, _)| k.clone())
        .collect()
}

pub async fn replay(
    model: &Model,
    sandbox: &SandboxSection,
    bt: &BacktestSection,
    window: &Window,
    series: &BTreeMap<String, Series>,
) -> WindowResult {
    let started = std::time::Instant::now();
    let from = prices::parse_time(&window.from).unwrap();
    let to = prices::parse_time(&window.to).unwrap();
    let grid: Vec<i64> = (from..=to).step_by(bt.step_secs.max(1) as usize).collect();
    let symbols: Vec<String> = model.deployment.assets.iter().map(|a| a.symbol.clone()).collect();
    let with_data = priced_at(series, from);
    let mut sim = Sim::start().await;
    sim.set_time(from).await;
    let start_prices = prices_at(&symbols, series, &sandbox.constant_prices, from);
    let d = scenario::deploy(&mut sim, &model.deployment, &start_prices, sandbox.conf_bps, from, false).await;
    let (liquidator, liquidator_account) = scenario::liquidity(&sim, &d, sandbox).await;

    let mut traders = vec![];
    for t in &bt.traders {
        for target in &t.targets_bps {
            if let Some(tr) = open_trader(&sim, &d, t, *target, &with_data, &start_prices).await {
                traders.push(tr);
            }
        }
    }

    let mut keeper =
        Keeper::new(d.group, liquidator.insecure_clone(), liquidator_account, KeeperConfig::default());
    let vol_assets: Vec<u16> = d
        .snapshot
        .assets
        .iter()
        .filter(|a| a.state.config.liquidation_horizon_secs > 0)
        .map(|a| a.state.asset_index)
        .collect();
    let alpha = 2.0 / (f64::from(sandbox.ema_hours.max(1)) + 1.0);
    let mut ema = start_prices.clone();
    let lead = lead_asset(&symbols, series, &with_data, &grid);
    let lead_index = scenario::index_of(&symbols, &lead) as usize;
    let mut r = WindowResult {
        model: model.name,
        window: window.name.clone(),
        steps: grid.len(),
        times: vec![],
        lead,
        lead_prices: vec![],
        traders: vec![],
        marks: vec![],
        liquidations: 0,
        bankruptcies: 0,
        bonus_paid: 0.0,
        written_off: 0.0,
        insurance_fund: 0.0,
        keeper_profit: 0.0,
        losing_rounds: 0,
        elapsed: std::time::Duration::ZERO,
    };
    let step_hours = bt.step_secs as f64 / 3_600.0;
    for (step, now) in grid.iter().copied().enumerate() {
        sim.set_time(now).await;
        let p = prices_at(&symbols, series, &sandbox.constant_prices, now);
        for (i, feed) in d.feeds.iter().enumerate() {
            ema[i] += alpha * (p[i] - ema[i]);
            sim.set_price(*feed, p[i], ema[i], sandbox.conf_bps, now);
        }
        let snap = sim.snapshot(d.group).await;
        for i in &vol_assets {
            // at most once per interval; "too soon" is the expected refusal between samples
            let _ = sim.chain.send(&[ix::update_volatility(snap.asset(*i).unwrap())], &sim.payer, &[]).await;
        }
        // equity as the prices move, before the keeper can act: a gap makes an account insolvent here
        let snap = sim.snapshot(d.group).await;
        let priced = snap.priced(OraclePolicy::Liquidation).unwrap_or_else(|e| die(e));
        for tr in &mut traders {
            let state = sim.margin_account(tr.account).await;
            let e = equity(&priced, &state);
            if e < 0.0 && tr.insolvent_at.is_none() {
                tr.insolvent_at = Some(prices::format_time(now));
            }
            tr.min_equity = tr.min_equity.min(e);
            let maint = account_health(&priced, &state).map(|h| usd(h.maint)).unwrap_or(f64::NAN);
            tr.worst_health_pct = tr.worst_health_pct.min(100.0 * maint / tr.basket_usd);
            if maint < 0.0 {
                tr.hours_below_maint += step_hours;
            }
        }
        if step % bt.keeper_every_steps.max(1) == 0 {
            let before = balances(&sim, &snap, &priced, liquidator_account).await;
            let round = keeper.run_round(&sim.chain).await.unwrap_or_else(|e| die(e));
            r.liquidations += round.liquidated.len() as u32;
            r.bankruptcies += round.bankrupt.len() as u32;
            r.bonus_paid += usd(round.bonus_paid);
            r.written_off += usd(round.bad_debt);
            for (ti, tr) in traders.iter_mut().enumerate() {
                if round.liquidated.contains(&tr.account) {
                    tr.liquidations += 1;
                    r.marks.push((step, ti));
                }
            }
            if !round.liquidated.is_empty() {
                // the keeper's gain: seized collateral sold at the discount, debt taken over at spot
                let snap = sim.snapshot(d.group).await;
                let priced = snap.priced(OraclePolicy::Liquidation).unwrap_or_else(|e| die(e));
                let after = balances(&sim, &snap, &priced, liquidator_account).await;
                let day_ago = prices_at(&symbols, series, &sandbox.constant_prices, now - 86_400);
                let discounts: Vec<f64> = p
                    .iter()
                    .zip(&day_ago)
                    .map(|(now, then)| {
                        sale_discount(bt.sale_discount_base_bps, bt.sale_discount_slope_bps, *now, *then)
                    })
                    .collect();
                let profit = keeper_profit(&before, &after, &p, &discounts);
                r.keeper_profit += profit;
                r.losing_rounds += u32::from(profit < 0.0);
            }
        }
        let snap = sim.snapshot(d.group).await;
        let priced = snap.priced(OraclePolicy::Liquidation).unwrap_or_else(|e| die(e));
        for (ti, tr) in traders.iter_mut().enumerate() {
            let state = sim.margin_account(tr.account).await;
            let maint = account_health(&priced, &state).map(|h| usd(h.maint)).unwrap_or(f64::NAN);
            tr.health_pct.push(100.0 * maint / tr.basket_usd);
            let e = equity(&priced, &state);
            if r.marks.contains(&(step, ti)) {
                tr.liquidated_at.push((prices::format_time(now), 100.0 * maint / tr.basket_usd, e));
            }
            tr.final_equity = e;
        }
        r.times.push(prices::format_time(now));
        r.lead_prices.push(p[lead_index]);
    }
    let snap = sim.snapshot(d.group).await;
    let priced = snap.priced(OraclePolicy::Liquidation).unwrap_or_else(|e| die(e));
    for a in &snap.assets {
        let spot = priced.get(a.state.asset_index).map(|p| p.template.prices.spot).unwrap_or(I80F48::ZERO);
        r.insurance_fund += usd(a.state.lending_state().insurance_fund * spot);
    }
    r.traders = traders;
    r.elapsed = started.elapsed();
    r
}

/// The discount a liquidator sells seized collateral at: `base + slope * |move|`, the move being
/// the asset's price change over the last day (a crash widens spreads and thins books).
pub fn sale_discount(base_bps: u32, slope_bps: u32, now: f64, day_ago: f64) -> f64 {
    let moved = if day_ago > 0.0 { (now / day_ago - 1.0).abs() } else { 0.0 };
    (f64::from(base_bps) + f64::from(slope_bps) * moved) / 10_000.0
}

/// What a keeper round earned the liquidator (USD): every token balance it gained (seized
/// collateral) sold at its discount, every balance it lost (debt taken over) at the price.
pub fn keeper_profit(before: &[f64], after: &[f64], prices: &[f64], discounts: &[f64]) -> f64 {
    before
        .iter()
        .zip(after)
        .zip(prices.iter().zip(discounts))
        .map(|((b, a), (p, d))| {
            let delta = (a - b) * p;
            if delta > 0.0 {
                delta * (1.0 - d)
            } else {
                delta
            }
        })
        .sum()
}

/// Opens `t`'s account for `target_bps`: deposits its basket (the assets with data in the
/// window, each worth its share of the whole basket at the start), then borrows `target_bps` of
/// the engine's max borrow. None when no basket asset has data in the window.
async fn open_trader(
    sim: &Sim,
    d: &Deployed,
    t: &BacktestTrader,
    target_bps: u32,
    with_data: &[String],
    prices: &[f64],
) -> Option<TraderResult> {
    let total: f64 = t.basket.values().sum();
    let kept: BTreeMap<String, f64> =
        t.basket.iter().filter(|(s, _)| with_data.contains(s)).map(|(s, v)| (s.clone(), *v)).collect();
    let kept_total: f64 = kept.values().sum();
    if kept_total <= 0.0 {
        return None;
    }
    let amounts: BTreeMap<String, f64> = kept
        .iter()
        .map(|(s, v)| {
            (s.clone(), v * total / kept_total / prices[scenario::index_of(&d.symbols, s) as usize])
        })
        .collect();
    let owner = Keypair::new();
    let account = scenario::open(sim, d.group, &owner).await;
    scenario::deposit_all(sim, &d.snapshot, &d.symbols, account, &owner, &amounts).await;

    let snap = sim.snapshot(d.group).await;
    let index = scenario::index_of(&d.symbols, &t.borrow);
    let asset = snap.asset(index).unwrap().clone();
    let state = sim.margin_account(account).await;
    let liquidity = snap.vault_amount(&sim.chain, index).await.unwrap_or_else(|e| die(e));
    let max = snap.max_borrow(&state, index, liquidity, I80F48::ZERO).unwrap_or_else(|e| die(e)).unwrap_or(0);
    let amount = (u128::from(max) * u128::from(target_bps) / 10_000) as u64;
    if amount > 0 {
        let to = sim.funded(asset.state.mint, asset.state.token_program, owner.pubkey(), 0).await;
        let i = snap.borrow(account, &state, index, to, amount).unwrap_or_else(|e| die(e));
        sim.send(&[i], &[&owner]).await;
    }
    let unit = 10f64.powi(i32::from(asset.state.decimals));
    let price = prices[index as usize];
    Some(TraderResult {
        name: format!("{}-{}", t.name, target_bps / 100),
        basket: t.name.clone(),
        complete: kept.len() == t.basket.len(),
        account,
        basket_usd: total,
        max_borrow_usd: max as f64 / unit * price,
        health_pct: vec![],
        worst_health_pct: f64::INFINITY,
        hours_below_maint: 0.0,
        liquidations: 0,
        final_equity: 0.0,
        min_equity: f64::INFINITY,
        insolvent_at: None,
        liquidated_at: vec![],
    })
}

/// The asset with data in the window whose price fell furthest (peak to trough).
fn lead_asset(
    symbols: &[String],
    series: &BTreeMap<String, Series>,
    with_data: &[String],
    grid: &[i64],
) -> String {
    let drawdown = |s: &Series| {
        let mut peak = f64::MIN;
        let mut worst = 0.0f64;
        for t in grid {
            if let Some(p) = s.at(*t) {
                peak = peak.max(p);
                worst = worst.max(1.0 - p / peak);
            }
        }
        worst
    };
    symbols
        .iter()
        .filter(|s| with_data.contains(s))
        .filter_map(|s| series.get(s).map(|x| (s.clone(), drawdown(x))))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(s, _)| s)
        .unwrap_or_else(|| symbols[0].clone())
}

/// The account's token balances in whole tokens, by asset index.
async fn balances(sim: &Sim, snap: &GroupSnapshot, priced: &PricedAssets, key: Pubkey) -> Vec<f64> {
    let state = sim.margin_account(key).await;
    let mut out = vec![0.0; snap.assets.len()];
    if let Ok(p) = priced.portfolio(&state.positions, &state.derivatives, None) {
        for t in &p.tokens {
            let decimals = snap.asset(t.asset_index).map(|a| a.state.decimals).unwrap_or(0);
            out[usize::from(t.asset_index)] = t.balance.to_num::<f64>() / 10f64.powi(i32::from(decimals));
        }
    }
    out
}

/// Equity at spot in USD (`PricedAssets::equity_of`).
fn equity(priced: &PricedAssets, state: &MarginAccount) -> f64 {
    priced
        .portfolio(&state.positions, &state.derivatives, None)
        .and_then(|p| priced.equity_of(&p))
        .map(usd)
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sale_discount_widens_with_the_move() {
        // 0.5% + 15% of a 30% fall = 5%
        assert!((sale_discount(50, 1_500, 70.0, 100.0) - 0.05).abs() < 1e-12);
        assert!((sale_discount(50, 1_500, 100.0, 100.0) - 0.005).abs() < 1e-12);
    }

    #[test]
    fn the_keepers_profit_sells_collateral_at_the_discount_and_repays_at_the_price() {
        // took over 1,000 USDC of debt, received 10 SOL at $105 (5% bonus): sold at a 3% discount
        let (before, after) = ([0.0, 0.0], [-1_000.0, 10.0]);
        let profit = keeper_profit(&before, &after, &[1.0, 105.0], &[0.0, 0.03]);
        assert!((profit - (1_050.0 * 0.97 - 1_000.0)).abs() < 1e-9, "{profit}");
        // at a discount above the bonus it loses money
        assert!(keeper_profit(&before, &after, &[1.0, 105.0], &[0.0, 0.06]) < 0.0);
    }
}
