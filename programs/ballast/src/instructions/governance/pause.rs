use super::patching::role_of;
use crate::error::BallastError;
use crate::events::PauseChanged;
use crate::risk::governance::{PauseError, PauseState, Role, PAUSE_ACTIONS_GROUP, PAUSE_ACTIONS_PER_ASSET};
use crate::state::{Asset, Group, PauseBits};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Pause<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    /// The admin or the risk guardian.
    pub authority: Signer<'info>,
    /// The asset to pause; none: the group-wide pause.
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: Option<AccountLoader<'info, Asset>>,
}

/// Pauses `actions` (`PAUSE_*` bits) on an asset (deposit, withdraw, borrow) or group-wide
/// (withdraw, borrow: deposits stay open so accounts can be cured), for `PAUSE_DURATION_SECS`.
/// While active, a second call renews it: the guardian at most `MAX_CONSECUTIVE_PAUSES` in a row
/// and `MAX_PAUSES_PER_DAY` in a day-long window; the admin's pauses are not limited or counted.
/// Repay and liquidation are never paused.
pub fn pause(ctx: Context<Pause>, actions: u8) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let group_key = ctx.accounts.group.key();
    let now = Clock::get()?.unix_timestamp;
    let mut group = ctx.accounts.group.load_mut()?;
    // the guardian's pauses are bounded and counted; the admin's are not
    let limited = role_of(&group, &by)? == Role::Guardian;
    match &ctx.accounts.asset {
        Some(loader) => {
            let mut asset = loader.load_mut()?;
            let pause = |p: &mut PauseState| p.pause(actions, PAUSE_ACTIONS_PER_ASSET, now, limited);
            change_pause(&mut asset.pause, pause, group_key, Some(loader.key()), by)
        }
        None => {
            let pause = |p: &mut PauseState| p.pause(actions, PAUSE_ACTIONS_GROUP, now, limited);
            change_pause(&mut group.pause, pause, group_key, None, by)
        }
    }
}

/// Applies one `PauseState` transition to stored bits, maps its refusal to the named error, and
/// reports old and new.
pub fn change_pause(
    bits: &mut PauseBits,
    transition: impl FnOnce(&mut PauseState) -> core::result::Result<(), PauseError>,
    group: Pubkey,
    asset: Option<Pubkey>,
    by: Pubkey,
) -> Result<()> {
    let mut state = bits.get();
    let old_actions = state.actions;
    transition(&mut state).map_err(|e| match e {
        PauseError::InvalidActions => error!(BallastError::PauseActionsInvalid),
        PauseError::TooManyConsecutive => error!(BallastError::PauseTooManyConsecutive),
        PauseError::TooManyToday => error!(BallastError::PauseTooManyToday),
        PauseError::NotExpired => error!(BallastError::PauseNotExpired),
        PauseError::NotPaused => error!(BallastError::NotPaused),
    })?;
    bits.set(&state);
    emit!(PauseChanged {
        group,
        asset,
        by,
        old_actions,
        new_actions: state.actions,
        expires_ts: state.expires_ts,
        consecutive: state.consecutive,
        day_count: state.day_count,
    });
    Ok(())
}
