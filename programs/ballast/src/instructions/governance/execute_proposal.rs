use super::patching::{
    commit_asset_config, commit_group_settings, commit_market_config, patched_asset_config,
    patched_group_settings, patched_market_config,
};
use crate::error::BallastError;
use crate::risk::governance::{executable, TimelockError};
use crate::state::{Asset, Group, Market, Proposal, ProposalStatus, ProposalTarget};
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
    /// A market patch: the proposal's target. Otherwise none.
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: Option<AccountLoader<'info, Market>>,
}

/// Runs a pending proposal once its timelock has passed (the delay at proposal time, or the
/// group's current one if longer) and before it lapses. A field changed since the proposal makes
/// it stale (`ProposalStale`); the patch is applied to the target's config as it stands now and
/// validated again: a proposal that became invalid (another field changed since) is refused with
/// the validation's error. Either way it stays pending (until it lapses or is cancelled).
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
    match (p.target_kind(), &ctx.accounts.asset, &ctx.accounts.market) {
        (ProposalTarget::Group, None, None) => {}
        (ProposalTarget::Asset, Some(loader), None) if loader.key() == p.target => {}
        (ProposalTarget::Market, None, Some(loader)) if loader.key() == p.target => {}
        _ => return err!(BallastError::ProposalWrongTarget),
    }
    // the delay in force now, if it grew since the proposal (a proposal made with no timelock
    // cannot outrun one set later)
    let delay = i64::from(ctx.accounts.group.load()?.config.timelock_delay_secs);
    let eta = p.eta.max(p.created_ts.saturating_add(delay));
    executable(eta, now).map_err(|e| match e {
        TimelockError::TooEarly => error!(BallastError::ProposalTooEarly),
        TimelockError::Lapsed => error!(BallastError::ProposalLapsed),
    })?;
    let entries = p.entries().to_vec();
    match p.target_kind() {
        ProposalTarget::Group => {
            let group_key = ctx.accounts.group.key();
            let mut group = ctx.accounts.group.load_mut()?;
            let (settings, judged) = patched_group_settings(&group, &entries)?;
            require_not_stale(&judged, &p.old_values)?;
            commit_group_settings(&mut group, group_key, &settings, &judged, by, Some(proposal_key));
        }
        ProposalTarget::Asset => {
            let loader = ctx.accounts.asset.as_ref().ok_or(BallastError::ProposalWrongTarget)?;
            let oracle = ctx.accounts.oracle.as_ref().ok_or(BallastError::OracleMismatch)?;
            let mut asset = loader.load_mut()?;
            let (config, judged) = patched_asset_config(&asset, &entries, now)?;
            require_not_stale(&judged, &p.old_values)?;
            commit_asset_config(
                &mut asset,
                loader.key(),
                oracle,
                &config,
                &judged,
                by,
                Some(proposal_key),
                now,
                0,
            )?;
        }
        ProposalTarget::Market => {
            let loader = ctx.accounts.market.as_ref().ok_or(BallastError::ProposalWrongTarget)?;
            let mut market = loader.load_mut()?;
            let (config, judged) = patched_market_config(&market, &entries)?;
            require_not_stale(&judged, &p.old_values)?;
            commit_market_config(&mut market, loader.key(), &config, &judged, by, Some(proposal_key));
        }
    }
    p.status = ProposalStatus::Executed as u8;
    p.closed_by = by;
    p.closed_ts = now;
    Ok(())
}

/// Every field still holds the value the proposal was made against.
fn require_not_stale<F>(judged: &[crate::patch::JudgedEntry<F>], old_values: &[[u8; 32]]) -> Result<()> {
    require!(judged.iter().zip(old_values).all(|(j, old)| j.old == *old), BallastError::ProposalStale);
    Ok(())
}
