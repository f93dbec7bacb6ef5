use super::patching::{
    commit_asset_config, commit_group_settings, patched_asset_config, patched_group_settings,
};
use crate::error::BallastError;
use crate::risk::governance::{executable, TimelockError};
use crate::state::{Asset, Group, Proposal, ProposalStatus, ProposalTarget};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ExecuteProposal<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = proposal.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub proposal: AccountLoader<'info, Proposal>,
    /// An asset patch: the proposal's target. A group patch: none.
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: Option<AccountLoader<'info, Asset>>,
    /// CHECK: an asset patch: validated against the patched config by `read_oracle`. A group
    /// patch: none.
    pub oracle: Option<UncheckedAccount<'info>>,
    /// Anyone: the timelock, not the signer, authorises this.
    pub executor: Signer<'info>,
}

/// Runs a pending proposal once its timelock has passed and before it lapses. The patch is
/// applied to the target's config as it stands now and validated again: a proposal that became
/// invalid (another change since) is refused with the validation's error and stays pending.
pub fn execute_proposal(ctx: Context<ExecuteProposal>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let proposal_key = ctx.accounts.proposal.key();
    let by = ctx.accounts.executor.key();
    let mut p = ctx.accounts.proposal.load_mut()?;
    match p.status() {
        ProposalStatus::Pending => {}
        ProposalStatus::Executed => return err!(BallastError::ProposalAlreadyExecuted),
        ProposalStatus::Cancelled => return err!(BallastError::ProposalCancelled),
    }
    // the accounts must be the proposal's target before its timing is judged
    match (p.target_kind(), &ctx.accounts.asset) {
        (ProposalTarget::Group, None) => {}
        (ProposalTarget::Asset, Some(loader)) if loader.key() == p.target => {}
        _ => return err!(BallastError::ProposalWrongTarget),
    }
    executable(p.eta, now).map_err(|e| match e {
        TimelockError::TooEarly => error!(BallastError::ProposalTooEarly),
        TimelockError::Lapsed => error!(BallastError::ProposalLapsed),
    })?;
    let entries = p.entries().to_vec();
    match p.target_kind() {
        ProposalTarget::Group => {
            let group_key = ctx.accounts.group.key();
            let mut group = ctx.accounts.group.load_mut()?;
            let (settings, judged) = patched_group_settings(&group, &entries)?;
            commit_group_settings(&mut group, group_key, &settings, &judged, by, Some(proposal_key));
        }
        ProposalTarget::Asset => {
            let loader = ctx.accounts.asset.as_ref().ok_or(BallastError::ProposalWrongTarget)?;
            let oracle = ctx.accounts.oracle.as_ref().ok_or(BallastError::OracleMismatch)?;
            let mut asset = loader.load_mut()?;
            let (config, judged) = patched_asset_config(&asset.config, &entries)?;
            commit_asset_config(
                &mut asset,
                loader.key(),
                oracle,
                &config,
                &judged,
                by,
                Some(proposal_key),
                now,
            )?;
        }
    }
    p.status = ProposalStatus::Executed as u8;
    p.closed_by = by;
    p.closed_ts = now;
    Ok(())
}
