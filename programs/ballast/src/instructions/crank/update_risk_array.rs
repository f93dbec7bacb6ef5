use crate::error::{BallastError, IntoAnchor};
use crate::events::RiskArrayUpdated;
use crate::oracle::{fault_error, read_oracle};
use crate::risk::assess_oracle;
use crate::state::{Asset, ComputedRiskArray, Group, Market};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateRiskArray<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: AccountLoader<'info, Market>,
    #[account(constraint = underlying.key() == market.load()?.underlying @ BallastError::WrongMarketAsset)]
    pub underlying: AccountLoader<'info, Asset>,
    /// CHECK: must be the underlying's pinned oracle; checked by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless crank: prices an option series at the underlying's current oracle spot and
/// stores its risk array (`risk::risk_array`: the value change per contract under each of the
/// 16 scenarios at the Init scan range, the value, the Greeks, the error bound) with the spot,
/// volatility, range and times it used. Margin checks use the array only while it is fresh and
/// near the current spot (`Market::check_risk_array`), so clients put this instruction in front
/// of any that values the series.
///
/// What the caller controls is when to call and which valid reading to post: the reading must
/// pass the liquidation oracle checks (fresh, within the liquidation confidence limit; no EMA
/// check, as `update_volatility` and `settle_expiry`: in a crash the spot leaves its EMA exactly
/// when liquidations need the array), be no older than the underlying's latest accepted reading
/// nor than the one the array used before; every instruction that uses the array applies its
/// own oracle checks to its own reading and compares the array's spot with it. What is computed
/// is `Market::compute_risk_array`'s (the surface's volatility at the series' expiry and strike,
/// floored by the realised volatility; the market's Init range, as the scan computes it).
pub fn update_risk_array(ctx: Context<UpdateRiskArray>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let params = ctx.accounts.group.load()?.config.health_params();
    let asset = ctx.accounts.underlying.load()?;
    let market = *ctx.accounts.market.load()?;
    require!(market.config.option_kind().is_some(), BallastError::NotAnOptionMarket);
    require!(!market.is_settled(now), BallastError::MarketSettled);
    let reading = read_oracle(&asset.config, &ctx.accounts.oracle)?;
    require!(reading.publish_time >= asset.oracle_last_publish_ts, BallastError::OracleReadingRegressed);
    require!(reading.publish_time >= market.risk_array.publish_ts, BallastError::RiskArrayReadingRegressed);
    let (prices, fault) =
        assess_oracle(&reading, &asset.config.liquidation_limits(), now, asset.decimals).anchor()?;
    if let Some(f) = fault {
        return Err(error!(fault_error(f)));
    }

    let computed = market.compute_risk_array(&asset, prices.spot, &params, now)?;
    let ComputedRiskArray { array, sigma, range } = computed;

    // Effects.
    ctx.accounts.market.load_mut()?.risk_array.record(&computed, prices.spot, now, reading.publish_time);
    emit!(RiskArrayUpdated {
        group: market.group,
        market: ctx.accounts.market.key(),
        market_index: market.market_index,
        spot: prices.spot.to_bits(),
        sigma: sigma.to_bits(),
        range: range.to_bits(),
        value: array.value.to_bits(),
        delta: array.delta.to_bits(),
        gamma: array.gamma.to_bits(),
        vega: array.vega.to_bits(),
        theta: array.theta.to_bits(),
        scenarios: array.scenarios.map(|v| v.to_bits()),
        computed_ts: now,
        publish_ts: reading.publish_time,
    });
    Ok(())
}
