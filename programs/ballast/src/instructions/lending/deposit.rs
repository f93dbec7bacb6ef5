use super::token_accounts::*;
use crate::error::{BallastError, IntoAnchor};
use crate::events::BalanceChangeKind;
use crate::math::I80F48;
use crate::state::PositionSlots;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Deposit<'info> {
    pub token: TokenMove<'info>,
    /// Owner or delegate of the margin account, and authority of the source token account.
    #[account(constraint = {
        let a = token.account.load()?;
        a.owner == authority.key() || (a.delegate != Pubkey::default() && a.delegate == authority.key())
    } @ BallastError::NotOwnerOrDelegate)]
    pub authority: Signer<'info>,
}

/// Adds `amount` native tokens to the account's deposit of the asset. Needs no oracle.
pub fn deposit<'info>(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
    require!(amount > 0, BallastError::ZeroAmount);
    let t = &ctx.accounts.token;
    let now = Clock::get()?.unix_timestamp;
    let mut asset = *t.asset.load()?;
    t.group.load()?.check_open(&asset, crate::risk::governance::PAUSE_DEPOSIT, now)?;
    asset.accrue_interest(now).anchor()?;

    let (slot, shares) = {
        let account = t.account.load()?;
        let slot = account.find_or_free_slot(asset.asset_index).ok_or(BallastError::NoFreePositionSlot)?;
        (slot, account.positions.shares_of(asset.asset_index))
    };
    require!(shares >= I80F48::ZERO, BallastError::DepositOnBorrowedAsset);

    let mut lending = asset.lending_state();
    let new_shares = lending.deposit(shares, I80F48::from_num(amount)).anchor()?;
    let total_after = lending.total_deposits().anchor()?;
    require!(total_after <= I80F48::from_num(asset.config.deposit_cap), BallastError::DepositCapExceeded);
    asset.set_lending_state(&lending);

    // A flagged account that this change cures ends its liquidation (this never fails).
    t.store(&asset, slot, new_shares)?;
    t.end_liquidation_if_cured(&asset, new_shares, ctx.remaining_accounts, now)?;
    t.transfer_in(&ctx.accounts.authority, amount)?;
    t.emit_change(&asset, BalanceChangeKind::Deposit, amount, new_shares, None);
    Ok(())
}
