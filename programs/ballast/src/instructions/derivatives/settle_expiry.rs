use crate::error::{BallastError, IntoAnchor};
use crate::events::ExpirySettlementRecorded;
use crate::oracle::{fault_error, read_oracle};
use crate::risk::{assess_oracle, OracleFault};
use crate::state::{Asset, Market};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SettleExpiry<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(constraint = underlying.key() == market.load()?.underlying @ BallastError::WrongMarketAsset)]
    pub underlying: AccountLoader<'info, Asset>,
    /// CHECK: must be the underlying's pinned oracle; checked by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless crank: records the settlement price of an expired market from the
/// underlying's oracle update published first at or after expiry, within the settlement window.
/// Refused before expiry, and for an update published before expiry or after the window. Since
/// a Pyth update can be posted after it was published, the caller could pick a later update
/// than the first: any later call with an update published earlier (still at or after expiry)
/// replaces the recorded price, until `Market::settlement_final_ts` (the window, then as long
/// again); from then on the price is final and positions close at it (`settle_pnl`). Without
/// any update recorded by then, the first one posted within the window is final at once.
///
/// The reading is judged at its own publish time (freshness is the window's business), within
/// the liquidation confidence limit; its distance from the EMA is not held against it (an
/// expiry in a crash must still settle).
pub fn settle_expiry(ctx: Context<SettleExpiry>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let asset = ctx.accounts.underlying.load()?;
    let reading = read_oracle(&asset.config, &ctx.accounts.oracle)?;
    let mut market = ctx.accounts.market.load_mut()?;
    let expiry = market.config.expiry_ts;
    require!(market.is_expired(now), BallastError::MarketNotExpired);
    let recorded = market.settlement_publish_ts;
    require!(recorded == 0 || now < market.settlement_final_ts(), BallastError::SettlementFinal);
    require!(reading.publish_time >= expiry, BallastError::SettlementReadingBeforeExpiry);
    let window_end = expiry.saturating_add(i64::from(market.config.settlement_window_secs));
    require!(reading.publish_time <= window_end, BallastError::SettlementReadingOutsideWindow);
    require!(recorded == 0 || reading.publish_time < recorded, BallastError::SettlementReadingNotEarlier);
    let (prices, fault) =
        assess_oracle(&reading, &asset.config.liquidation_limits(), reading.publish_time, asset.decimals)
            .anchor()?;
    match fault {
        None | Some(OracleFault::EmaDeviation) => {}
        Some(f) => return Err(error!(fault_error(f))),
    }

    market.settlement_price = prices.spot.into();
    market.settlement_publish_ts = reading.publish_time;
    emit!(ExpirySettlementRecorded {
        group: market.group,
        market: ctx.accounts.market.key(),
        market_index: market.market_index,
        settlement_price: prices.spot.to_bits(),
        publish_ts: reading.publish_time,
        final_ts: market.settlement_final_ts().max(now),
    });
    Ok(())
}
