use super::patching::role_of;
use crate::error::BallastError;
use crate::events::ProposalCancelled;
use crate::risk::governance::{GroupField, Role};
use crate::state::{Group, Proposal, ProposalStatus, ProposalTarget};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CancelProposal<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = proposal.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub proposal: AccountLoader<'info, Proposal>,
    /// The admin or the risk guardian.
    pub authority: Signer<'info>,
}

/// Cancels a pending proposal (executed or cancelled ones are refused). The guardian's check on
/// the admin: whatever the admin proposes, the guardian can stop during the timelock, except a
/// proposal that replaces the guardian.
pub fn cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let role = role_of(&*ctx.accounts.group.load()?, &by)?;
    let mut p = ctx.accounts.proposal.load_mut()?;
    match p.status() {
        ProposalStatus::Pending => {}
        ProposalStatus::Executed => return err!(BallastError::ProposalAlreadyExecuted),
        ProposalStatus::Cancelled => return err!(BallastError::ProposalCancelled),
    }
    // a guardian gone rogue must stay replaceable: it cannot cancel its own replacement
    let replaces_guardian = p.target_kind() == ProposalTarget::Group
        && p.entries().iter().any(|e| e.field == GroupField::RiskGuardian as u16);
    require!(
        !(role == Role::Guardian && replaces_guardian),
        BallastError::GuardianCannotCancelItsReplacement
    );
    p.status = ProposalStatus::Cancelled as u8;
    p.closed_by = by;
    p.closed_ts = Clock::get()?.unix_timestamp;
    emit!(ProposalCancelled { group: p.group, proposal: ctx.accounts.proposal.key(), by });
    Ok(())
}
