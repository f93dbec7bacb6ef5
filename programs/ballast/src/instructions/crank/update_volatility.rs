use crate::error::{BallastError, IntoAnchor};
use crate::events::VolatilityUpdated;
use crate::math::{from_bps, CheckedFixed, I80F48};
use crate::oracle::{fault_error, read_oracle};
use crate::risk::{assess_oracle, ewma_variance, sample_cap};
use crate::state::Asset;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateVolatility<'info> {
    #[account(mut)]
    pub asset: AccountLoader<'info, Asset>,
    /// CHECK: must be the asset's pinned oracle; checked by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless crank: samples the asset's pinned oracle and folds the log return since the
/// previous sample into the realised variance (EWMA). What the caller controls is only when to
/// call, so the sample is taken on the oracle's clock:
/// - the return is annualised over the time between the two readings' publish times (not the
///   wall clock between two calls);
/// - a reading is sampled at most once, and samples are at least `vol_sample_interval_secs`
///   apart in publish time (validation keeps the interval at least the staleness window);
/// - the oracle must be fresh, within the liquidation confidence limit and no older than the
///   asset's latest accepted reading. The spot/EMA deviation check is not applied: a crash is
///   exactly the move the estimate must see.
///
/// The first sample after listing only records the price; every later one blends (EWMA) with
/// the previous variance, which starts at the governance floor squared, so one large first
/// return moves the estimate by `1 - lambda` of itself rather than replacing it. Each sample is
/// capped at `MAX_SAMPLE_TO_PRIOR` times the prior (the caller may post the update it samples,
/// the top of a spike included).
pub fn update_volatility(ctx: Context<UpdateVolatility>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut asset = ctx.accounts.asset.load_mut()?;
    let reading = read_oracle(&asset.config, &ctx.accounts.oracle)?;
    require!(reading.publish_time >= asset.oracle_last_publish_ts, BallastError::OracleReadingRegressed);
    let first = asset.vol_last_price.get() == I80F48::ZERO;
    let dt = reading.publish_time.saturating_sub(asset.vol_last_publish_ts);
    if !first {
        require!(dt > 0, BallastError::VolatilityReadingAlreadySampled);
        let interval = i64::from(asset.config.vol_sample_interval_secs);
        require!(interval > 0 && dt >= interval, BallastError::VolatilitySampleTooSoon);
    }
    let (prices, fault) =
        assess_oracle(&reading, &asset.config.liquidation_limits(), now, asset.decimals).anchor()?;
    if let Some(f) = fault {
        return Err(error!(fault_error(f)));
    }

    if !first {
        let prior = if asset.realized_variance.get() > I80F48::ZERO {
            asset.realized_variance.get()
        } else {
            let floor = from_bps(asset.config.sigma_floor_bps);
            floor.mul_c(floor).anchor()?
        };
        let variance = ewma_variance(
            prior,
            asset.vol_last_price.get(),
            prices.spot,
            dt,
            from_bps(asset.config.ewma_lambda_bps),
            true,
            sample_cap(prior).anchor()?,
        )
        .anchor()?;
        asset.realized_variance = variance.into();
        asset.refresh_horizon_vol().anchor()?;
    }
    asset.vol_last_price = prices.spot.into();
    asset.vol_last_publish_ts = reading.publish_time;
    asset.oracle_last_publish_ts = reading.publish_time;
    emit!(VolatilityUpdated {
        asset: ctx.accounts.asset.key(),
        asset_index: asset.asset_index,
        price: prices.spot.to_bits(),
        realized_variance: asset.realized_variance.get().to_bits(),
        horizon_vol: asset.horizon_vol.get().to_bits(),
        sampled_at: reading.publish_time,
    });
    Ok(())
}
