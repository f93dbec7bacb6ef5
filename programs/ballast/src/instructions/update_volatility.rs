use crate::error::{BallastError, IntoAnchor};
use crate::events::VolatilityUpdated;
use crate::math::{from_bps, I80F48};
use crate::oracle::{fault_error, read_oracle};
use crate::risk::{assess_oracle, ewma_variance};
use crate::state::Asset;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateVolatility<'info> {
    #[account(mut)]
    pub asset: AccountLoader<'info, Asset>,
    /// CHECK: validated against the asset's oracle config by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless crank: samples the asset's oracle, at most once per
/// `vol_sample_interval_secs`, and folds the log return into the realised variance (EWMA). The
/// oracle must be fresh and within the liquidation confidence limit, so a stale or uncertain
/// price never enters the estimate; the spot/EMA deviation check is not applied, since a crash is
/// exactly the move the estimate must see.
pub fn update_volatility(ctx: Context<UpdateVolatility>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut asset = ctx.accounts.asset.load_mut()?;
    let interval = i64::from(asset.config.vol_sample_interval_secs);
    let dt = now.saturating_sub(asset.vol_last_sample_ts);
    let first = asset.vol_last_price.get() == I80F48::ZERO;
    require!(first || (interval > 0 && dt >= interval), BallastError::VolatilitySampleTooSoon);

    let reading = read_oracle(&asset.config, &ctx.accounts.oracle)?;
    let (prices, fault) =
        assess_oracle(&reading, &asset.config.liquidation_limits(), now, asset.decimals).anchor()?;
    if let Some(f) = fault {
        return Err(error!(fault_error(f)));
    }
    if !first {
        let seeded = asset.vol_last_sample_ts > 0 && asset.realized_variance.get() > I80F48::ZERO;
        let variance = ewma_variance(
            asset.realized_variance.get(),
            asset.vol_last_price.get(),
            prices.spot,
            dt,
            from_bps(asset.config.ewma_lambda_bps),
            seeded,
        )
        .anchor()?;
        asset.realized_variance = variance.into();
        asset.refresh_horizon_vol();
    }
    asset.vol_last_price = prices.spot.into();
    asset.vol_last_sample_ts = now;
    emit!(VolatilityUpdated {
        asset: ctx.accounts.asset.key(),
        asset_index: asset.asset_index,
        price: prices.spot.to_bits(),
        realized_variance: asset.realized_variance.get().to_bits(),
        horizon_vol: asset.horizon_vol.get().to_bits(),
        sampled_at: now,
    });
    Ok(())
}
