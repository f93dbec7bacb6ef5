use crate::error::BallastError;
use crate::events::GroupPauseChanged;
use crate::state::{Group, GROUP_FLAG_PAUSED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SetGroupPaused<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    /// The admin, or the risk guardian (which may only pause).
    pub authority: Signer<'info>,
}

/// Sets or clears the group's pause flag. While it is set, deposits, withdrawals and borrows are
/// refused; repay and liquidation stay open, so accounts can be cured and risk can come down.
/// The risk guardian may pause (a tightening) but only the admin may unpause. Expiring pauses
/// with bounded renewals belong to the governance work (issue 11).
pub fn set_group_paused(ctx: Context<SetGroupPaused>, paused: bool) -> Result<()> {
    let key = ctx.accounts.authority.key();
    let mut group = ctx.accounts.group.load_mut()?;
    let allowed = key == group.admin || (paused && key == group.risk_guardian);
    if !allowed {
        return if key == group.risk_guardian {
            err!(BallastError::NotAdmin)
        } else {
            err!(BallastError::NotAdminOrGuardian)
        };
    }
    let was = group.is_paused();
    if paused {
        group.flags |= GROUP_FLAG_PAUSED;
    } else {
        group.flags &= !GROUP_FLAG_PAUSED;
    }
    emit!(GroupPauseChanged { group: ctx.accounts.group.key(), by: key, was_paused: was, paused });
    Ok(())
}
