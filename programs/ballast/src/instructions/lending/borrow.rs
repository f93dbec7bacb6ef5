use super::token_accounts::*;
use crate::error::{BallastError, IntoAnchor};
use crate::events::BalanceChangeKind;
use crate::health_accounts::require_init_health_after;
use crate::math::I80F48;
use crate::state::PositionSlots;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Borrow<'info> {
    pub token: TokenMove<'info>,
    #[account(constraint = token.account.load()?.owner == owner.key() @ BallastError::NotOwner)]
    pub owner: Signer<'info>,
}

/// Borrows `amount` native tokens against the account's collateral. The account's Init health
/// after the borrow must be >= 0; `remaining_accounts` carry the health accounts, which must
/// include the borrowed asset.
pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
    require!(amount > 0, BallastError::ZeroAmount);
    let t = &ctx.accounts.token;
    let now = Clock::get()?.unix_timestamp;
    let mut asset = *t.asset.load()?;
    let params = {
        let group = t.group.load()?;
        group.check_open(&asset, crate::risk::governance::PAUSE_BORROW, now)?;
        group.config.health_params()
    };
    asset.accrue_interest(now).anchor()?;

    let account = t.account.load()?;
    let slot = account.find_or_free_slot(asset.asset_index).ok_or(BallastError::NoFreePositionSlot)?;
    let shares = account.positions.shares_of(asset.asset_index);
    require!(shares <= I80F48::ZERO, BallastError::BorrowOnDepositedAsset);
    require!(amount <= t.available_liquidity(&asset)?, BallastError::InsufficientLiquidity);

    let mut lending = asset.lending_state();
    let new_shares = lending.borrow(shares, I80F48::from_num(amount)).anchor()?;
    require!(
        lending.total_borrows().anchor()? <= I80F48::from_num(asset.config.borrow_cap),
        BallastError::BorrowCapExceeded
    );
    asset.set_lending_state(&lending);

    let (health, clear_liquidation, publish_time) = require_init_health_after(
        &t.group.key(),
        params,
        &account.positions,
        &account.derivatives,
        account.is_being_liquidated(),
        &t.asset.key(),
        &asset,
        new_shares,
        ctx.remaining_accounts,
        now,
    )?;
    drop(account);
    asset.oracle_last_publish_ts = asset.oracle_last_publish_ts.max(publish_time);

    t.store(&asset, slot, new_shares)?;
    if clear_liquidation {
        t.end_liquidation()?;
    }
    t.transfer_out(&asset, amount)?;
    t.emit_change(&asset, BalanceChangeKind::Borrow, amount, new_shares, Some(health));
    Ok(())
}
