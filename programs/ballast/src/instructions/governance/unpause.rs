use super::patching::role_of;
use super::pause::change_pause;
use crate::error::BallastError;
use crate::risk::governance::Role;
use crate::state::{Asset, Group};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Unpause<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    /// The admin (the guardian is refused with `GuardianCannotUnpause`).
    pub admin: Signer<'info>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: Option<AccountLoader<'info, Asset>>,
}

/// Lifts a pause before it expires. Admin only: re-enabling is never the guardian's.
pub fn unpause(ctx: Context<Unpause>) -> Result<()> {
    let by = ctx.accounts.admin.key();
    let group_key = ctx.accounts.group.key();
    let mut group = ctx.accounts.group.load_mut()?;
    if role_of(&group, &by)? == Role::Guardian {
        return err!(BallastError::GuardianCannotUnpause);
    }
    match &ctx.accounts.asset {
        Some(loader) => {
            change_pause(&mut loader.load_mut()?.pause, |p| p.unpause(), group_key, Some(loader.key()), by)
        }
        None => change_pause(&mut group.pause, |p| p.unpause(), group_key, None, by),
    }
}
