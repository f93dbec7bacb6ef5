use crate::error::BallastError;
use crate::events::DelegateChanged;
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SetDelegate<'info> {
    #[account(mut, constraint = account.load()?.owner == owner.key() @ BallastError::NotOwner)]
    pub account: AccountLoader<'info, MarginAccount>,
    pub owner: Signer<'info>,
}

/// Names the account's delegate, who may deposit and repay on the owner's behalf (never
/// withdraw or borrow); `Pubkey::default()` removes it. Owner only.
pub fn set_delegate(ctx: Context<SetDelegate>, delegate: Pubkey) -> Result<()> {
    let mut account = ctx.accounts.account.load_mut()?;
    let old = account.delegate;
    account.delegate = delegate;
    emit!(DelegateChanged { account: ctx.accounts.account.key(), old_delegate: old, new_delegate: delegate });
    Ok(())
}
