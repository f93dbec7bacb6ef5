use super::pause::change_pause;
use crate::error::BallastError;
use crate::state::{Asset, Group};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ClearExpiredPause<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: Option<AccountLoader<'info, Asset>>,
    pub caller: Signer<'info>,
}

/// Anyone: forgets a pause that has expired (it stopped blocking at its expiry already; this
/// resets the run so the next pause starts a fresh one, and tells indexers).
pub fn clear_expired_pause(ctx: Context<ClearExpiredPause>) -> Result<()> {
    let by = ctx.accounts.caller.key();
    let group_key = ctx.accounts.group.key();
    let now = Clock::get()?.unix_timestamp;
    let mut group = ctx.accounts.group.load_mut()?;
    match &ctx.accounts.asset {
        Some(loader) => change_pause(
            &mut loader.load_mut()?.pause,
            |p| p.clear_expired(now),
            group_key,
            Some(loader.key()),
            by,
        ),
        None => change_pause(&mut group.pause, |p| p.clear_expired(now), group_key, None, by),
    }
}
