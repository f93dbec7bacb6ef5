use super::token_accounts::*;
use crate::error::{BallastError, IntoAnchor};
use crate::events::BalanceChangeKind;
use crate::health_accounts::require_init_health_after;
use crate::math::I80F48;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub token: TokenMove<'info>,
    #[account(constraint = token.account.load()?.owner == owner.key() @ BallastError::NotOwner)]
    pub owner: Signer<'info>,
}

/// Takes `amount` native tokens out of the account's deposit. The account's Init health after
/// the withdrawal must be >= 0; `remaining_accounts` carry the health accounts (see
/// `health_accounts`). A remainder under one native unit is dropped and the slot freed.
pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
    crate::cu_probe!("withdraw: entry (accounts deserialised)");
    require!(amount > 0, BallastError::ZeroAmount);
    let t = &ctx.accounts.token;
    let now = Clock::get()?.unix_timestamp;
    let mut asset = *t.asset.load()?;
    let params = {
        let group = t.group.load()?;
        group.check_open(&asset, crate::risk::governance::PAUSE_WITHDRAW, now)?;
        group.config.health_params()
    };
    asset.accrue_interest(now).anchor()?;

    let account = t.account.load()?;
    let slot = account.find_position(asset.asset_index).ok_or(BallastError::NoDeposit)?;
    let shares = account.positions[slot].shares();
    require!(shares > I80F48::ZERO, BallastError::NoDeposit);
    let native = asset.native_balance(shares).anchor()?;
    let amount_fixed = I80F48::from_num(amount);
    require!(amount_fixed <= native, BallastError::InsufficientDeposit);
    require!(amount <= t.available_liquidity(&asset)?, BallastError::InsufficientLiquidity);

    let mut lending = asset.lending_state();
    let new_shares = lending.withdraw(shares, amount_fixed).anchor()?;
    asset.set_lending_state(&lending);
    crate::cu_probe!("withdraw: asset accrued, shares computed");

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

    crate::cu_probe!("withdraw: margin check done");
    t.store(&asset, slot, new_shares)?;
    if clear_liquidation {
        t.end_liquidation()?;
    }
    crate::cu_probe!("withdraw: stored");
    t.transfer_out(&asset, amount)?;
    crate::cu_probe!("withdraw: token transfer (CPI)");
    t.emit_change(&asset, BalanceChangeKind::Withdraw, amount, new_shares, Some(health));
    crate::cu_probe!("withdraw: event");
    Ok(())
}
