use super::token_accounts::*;
use crate::error::{BallastError, IntoAnchor};
use crate::events::BalanceChangeKind;
use crate::math::{to_u64_ceil, CheckedFixed, I80F48};
use anchor_lang::prelude::*;

/// `amount` value that repays the whole debt, whatever interest accrued since the client looked.
pub const REPAY_ALL: u64 = u64::MAX;

#[derive(Accounts)]
pub struct Repay<'info> {
    pub token: TokenMove<'info>,
    /// Owner or delegate of the margin account, and authority of the source token account.
    #[account(constraint = {
        let a = token.account.load()?;
        a.owner == authority.key() || (a.delegate != Pubkey::default() && a.delegate == authority.key())
    } @ BallastError::NotOwnerOrDelegate)]
    pub authority: Signer<'info>,
}

/// Pays back up to the whole debt (`REPAY_ALL` for exactly the whole debt). Needs no oracle and
/// works while the group or asset is paused, since it only reduces risk.
pub fn repay<'info>(ctx: Context<'info, Repay<'info>>, amount: u64) -> Result<()> {
    require!(amount > 0, BallastError::ZeroAmount);
    let t = &ctx.accounts.token;
    let now = Clock::get()?.unix_timestamp;
    let mut asset = *t.asset.load()?;
    asset.accrue_interest(now).anchor()?;

    let (slot, shares) = {
        let account = t.account.load()?;
        let slot = account.find_position(asset.asset_index).ok_or(BallastError::NoBorrow)?;
        (slot, account.positions[slot].shares())
    };
    require!(shares < I80F48::ZERO, BallastError::NoBorrow);

    let mut lending = asset.lending_state();
    let debt_native = I80F48::ZERO.sub_c(asset.native_balance(shares).anchor()?).anchor()?;
    let debt = to_u64_ceil(debt_native).anchor()?;
    let amount = if amount == REPAY_ALL { debt } else { amount };
    require!(amount <= debt, BallastError::RepayExceedsDebt);

    let new_shares = lending.repay(shares, I80F48::from_num(amount), amount == debt).anchor()?;
    asset.set_lending_state(&lending);

    // A flagged account that this change cures ends its liquidation (this never fails).
    t.store(&asset, slot, new_shares)?;
    t.end_liquidation_if_cured(&asset, new_shares, ctx.remaining_accounts, now)?;
    t.transfer_in(&ctx.accounts.authority, amount)?;
    t.emit_change(&asset, BalanceChangeKind::Repay, amount, new_shares, None);
    Ok(())
}
