use crate::error::BallastError;
use crate::events::MarginAccountClosed;
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CloseAccount<'info> {
    #[account(
        mut,
        close = sol_destination,
        constraint = account.load()?.owner == owner.key() @ BallastError::NotOwner
    )]
    pub account: AccountLoader<'info, MarginAccount>,
    pub owner: Signer<'info>,
    /// CHECK: receives the rent; any account the owner chooses.
    #[account(mut)]
    pub sol_destination: UncheckedAccount<'info>,
}

/// Closes an account with no positions (a position's slot is freed when its balance reaches
/// exactly zero, so any remaining slot holds value or debt; a derivative slot frees when both
/// its contracts and its unsettled PnL are zero).
pub fn close_account(ctx: Context<CloseAccount>) -> Result<()> {
    let account = ctx.accounts.account.load()?;
    require!(account.active_derivatives().next().is_none(), BallastError::AccountHasDerivatives);
    require!(account.active_count() == 0, BallastError::AccountNotEmpty);
    require!(!account.is_being_liquidated(), BallastError::BeingLiquidated);
    emit!(MarginAccountClosed {
        group: account.group,
        account: ctx.accounts.account.key(),
        owner: account.owner,
    });
    Ok(())
}
