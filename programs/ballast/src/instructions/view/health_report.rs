use crate::error::{BallastError, IntoAnchor};
use crate::events::{HealthBreakdown, LevelBreakdown, PositionBreakdown, ScanBreakdown};
use crate::health_accounts::{OraclePolicy, PricedAssets};
use crate::math::I80F48;
use crate::risk::{portfolio_report, HealthLevels, HealthReport, HealthType};
use crate::state::{Group, MarginAccount};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct HealthReportAccounts<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(constraint = account.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
}

/// The three health levels of `account`, returned as `HealthSummary` (return data), with the
/// per-position, per-factor breakdown of each level in a `HealthBreakdown` event. Read-only:
/// meant to be simulated. `remaining_accounts`: the account's health accounts. With
/// `liquidation_prices` the oracles are judged as a liquidation would judge them.
pub fn health_report<'info>(
    ctx: Context<'info, HealthReportAccounts<'info>>,
    liquidation_prices: bool,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let params = ctx.accounts.group.load()?.config.health_params();
    let policy = if liquidation_prices { OraclePolicy::Liquidation } else { OraclePolicy::RiskIncreasing };
    let priced =
        PricedAssets::load(&ctx.accounts.group.key(), params, ctx.remaining_accounts, policy, now, None)?;
    let (p, being_liquidated) = {
        let a = ctx.accounts.account.load()?;
        (priced.portfolio(&a.positions, &a.derivatives, None)?, a.is_being_liquidated())
    };
    // One level's report at a time: the three breakdowns together would triple the heap.
    let mut totals = HealthLevels::default();
    let mut levels = Vec::with_capacity(HealthType::ALL.len());
    for level in HealthType::ALL {
        let report =
            portfolio_report(&p.tokens, &p.futures, &p.options, &p.underlyings, &priced.params, level)
                .anchor()?;
        totals.set(level, report.health);
        levels.push(level_breakdown(&report));
    }
    let summary = HealthSummary {
        init: totals.init.to_bits(),
        liquidation_end: totals.liquidation_end.to_bits(),
        maint: totals.maint.to_bits(),
        being_liquidated,
    };
    let mut data = Vec::with_capacity(64);
    summary.serialize(&mut data)?;
    anchor_lang::solana_program::program::set_return_data(&data);
    emit!(HealthBreakdown { account: ctx.accounts.account.key(), levels });
    Ok(())
}

/// Return data of `health_report`: health at each level (I80F48 bits, quote-native units).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthSummary {
    pub init: i128,
    pub liquidation_end: i128,
    pub maint: i128,
    pub being_liquidated: bool,
}

/// Compacts an engine report for the event: values as whole quote-native units (micro-USD),
/// rounded down, so the whole breakdown of a full account fits in the transaction log.
pub fn level_breakdown(report: &HealthReport) -> LevelBreakdown {
    let units = |v: I80F48| -> i64 { v.floor().saturating_to_num::<i64>() };
    LevelBreakdown {
        health: report.health.to_bits(),
        positions: report
            .positions
            .iter()
            .map(|p| PositionBreakdown {
                asset_index: p.asset_index,
                balance: p.balance.to_bits(),
                contribution: units(p.contribution),
                factor_cuts: p.factor_cuts.map(units),
            })
            .collect(),
        scans: report
            .scans
            .iter()
            .map(|s| ScanBreakdown {
                underlying_index: s.underlying_index,
                range: s.range.to_bits(),
                net_delta: s.net_delta.to_bits(),
                worst_scenario: s.worst as u8,
                requirement: units(s.requirement),
                unrealised_pnl: units(s.unrealised_pnl),
                weighted_pnl: units(s.weighted_pnl),
                hedge_credit: units(s.hedge_credit),
                total_delta: s.total_delta.to_bits(),
                gamma: s.gamma.to_bits(),
                vega: s.vega.to_bits(),
                theta: s.theta.to_bits(),
                short_option_minimum: units(s.short_option_minimum),
                scenarios: s.scenarios.map(units),
            })
            .collect(),
    }
}
