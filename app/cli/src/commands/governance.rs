//! Governance commands: list an asset; change an asset's, a market's or the group's config at once (the
//! admin's and the guardian's tightenings) or through the timelock (`gov propose`); execute,
//! cancel and show proposals; hand the admin role over; pause.

use super::{find_asset, AssetRef, Client, SPL_TOKEN, TOKEN_2022};
use crate::error::{from_anchor, CliError, CliResult};
use crate::params::{diff, AssetParams, FieldChange, GroupParams, MarketParams};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::oracle::pyth_pull::pin_default_account;
use ballast_sdk::ballast::risk::governance::{
    Role, PAUSE_BORROW, PAUSE_DEPOSIT, PAUSE_RISK, PAUSE_WITHDRAW, PROPOSAL_GRACE_SECS,
};
use ballast_sdk::ballast::state::{
    Asset, AssetConfig, Group, Market, PatchEntry, Proposal, ProposalStatus, ProposalTarget,
    MAX_PATCH_ENTRIES,
};
use ballast_sdk::ballast::validation::{
    validate_asset_config, validate_group_config, validate_market_params,
};
use ballast_sdk::governance::{self, Plan};
use ballast_sdk::{decode, ix, Chain, SdkError};
use serde::Serialize;
use solana_signer::Signer;

#[derive(Debug, Clone, Serialize)]
pub struct AssetRegistered {
    pub asset: String,
    pub mint: String,
    pub token_program: String,
    pub oracle_account: String,
    pub asset_index: Option<u16>,
    pub config: AssetParams,
    /// None for `--dry-run`.
    pub signature: Option<String>,
}

/// How `asset update` / `group update` send a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// At once (`apply_*_patch`), as the signer's role allows: refused locally, naming the
    /// fields, when any must wait for the timelock.
    Apply,
    /// As a proposal (`propose_patch`), executable after the group's timelock. Admin only.
    Propose,
}

/// The outcome of `asset update`, `group update`, `guardian tighten` and `gov propose`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigUpdate {
    /// The Asset or Group account.
    pub target: String,
    pub changes: Vec<FieldChange>,
    /// "applied", "proposed", "dry run", or "unchanged" (nothing to send).
    pub mode: String,
    /// The proposal created, and when it becomes executable (unix seconds).
    pub proposal: Option<String>,
    pub executable_at: Option<i64>,
    /// None for `--dry-run` or when nothing changes.
    pub signature: Option<String>,
}

impl ConfigUpdate {
    /// Before sending: "dry run", or "unchanged" when there is nothing to send.
    fn unsent(target: Pubkey, changes: Vec<FieldChange>, dry_run: bool) -> ConfigUpdate {
        let mode = if dry_run { "dry run" } else { "unchanged" };
        ConfigUpdate {
            target: target.to_string(),
            changes,
            mode: mode.into(),
            proposal: None,
            executable_at: None,
            signature: None,
        }
    }
}

/// One proposal as `gov show` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    pub proposal: String,
    pub number: u64,
    pub target: String,
    pub status: &'static str,
    pub proposer: String,
    pub created_at: i64,
    pub executable_at: i64,
    /// Last moment it can run (`executable_at` + the grace period).
    pub lapses_at: i64,
    /// `field: current -> proposed`, against the target's config now.
    pub entries: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposalList {
    pub group: String,
    pub timelock_delay_secs: u32,
    pub proposals: Vec<ProposalView>,
}

/// The outcome of a governance action without a config diff (execute, cancel, admin handover,
/// pauses).
#[derive(Debug, Clone, Serialize)]
pub struct GovAction {
    pub action: String,
    pub target: String,
    pub signature: String,
}

fn status_name(s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Pending => "pending",
        ProposalStatus::Executed => "executed",
        ProposalStatus::Cancelled => "cancelled",
    }
}

/// Parses `withdraw,borrow,deposit` (or `risk` for withdraw and borrow) into `PAUSE_*` bits.
pub fn parse_pause_actions(s: &str) -> Result<u8, String> {
    let mut bits = 0u8;
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        bits |= match part {
            "deposit" => PAUSE_DEPOSIT,
            "withdraw" => PAUSE_WITHDRAW,
            "borrow" => PAUSE_BORROW,
            "risk" => PAUSE_RISK,
            other => return Err(format!("unknown action `{other}` (deposit, withdraw, borrow, risk)")),
        };
    }
    if bits == 0 {
        return Err("no action named".into());
    }
    Ok(bits)
}

impl<C: Chain> Client<C> {
    /// Lists `mint` with the config `AssetConfig::template()` + `params`. The oracle account is the
    /// Pyth sponsored feed for a pull asset, the configured account for a legacy one, unless
    /// `oracle_account` says otherwise.
    pub async fn asset_register(
        &self,
        mint: &Pubkey,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        dry_run: bool,
    ) -> CliResult<AssetRegistered> {
        let mut config = params.apply(&AssetConfig::template())?;
        // The config pins the oracle account: the one given, else (pull) the sponsored feed.
        if let Some(account) = oracle_account {
            config.oracle = account;
        }
        pin_default_account(&mut config);
        validate_asset_config(&config).map_err(from_anchor)?;
        let mint_account = self
            .chain
            .account(mint)
            .await?
            .ok_or_else(|| CliError::input(format!("mint {mint} does not exist")))?;
        let token_program = mint_account.owner;
        if token_program != SPL_TOKEN && token_program != TOKEN_2022 {
            return Err(CliError::input(format!("{mint} is not an SPL Token or Token-2022 mint")));
        }
        let oracle = config.oracle;
        let asset = ix::asset_address(&self.group, mint);
        let mut out = AssetRegistered {
            asset: asset.to_string(),
            mint: mint.to_string(),
            token_program: token_program.to_string(),
            oracle_account: oracle.to_string(),
            asset_index: None,
            config: AssetParams::from_config(&config),
            signature: None,
        };
        if dry_run {
            return Ok(out);
        }
        let i = ix::register_asset(
            self.group,
            self.signer.pubkey(),
            self.payer().pubkey(),
            *mint,
            token_program,
            oracle,
            config,
        );
        out.signature = Some(self.send(&[i]).await?);
        if let Some(raw) = self.chain.account(&asset).await? {
            out.asset_index = decode::<Asset>(&asset, &raw.data, "Asset").ok().map(|a| a.asset_index);
        }
        Ok(out)
    }

    async fn group_state(&self) -> CliResult<Group> {
        let raw = self.chain.account(&self.group).await?.ok_or(SdkError::AccountNotFound(self.group))?;
        Ok(decode(&self.group, &raw.data, "Group")?)
    }

    /// The signer's role in the group, or an input error.
    fn role(&self, group: &Group) -> CliResult<Role> {
        let me = self.signer.pubkey();
        if me == group.admin {
            Ok(Role::Admin)
        } else if me == group.risk_guardian {
            Ok(Role::Guardian)
        } else {
            Err(CliError::input(format!(
                "{me} is neither the admin ({}) nor the risk guardian ({})",
                group.admin, group.risk_guardian
            )))
        }
    }

    /// Sends `entries` as `mode` says (`apply` builds the patch, `propose` the proposal numbered
    /// as its argument), after checking locally what the program would refuse; `describe` names
    /// each entry for the refusal.
    #[allow(clippy::too_many_arguments)]
    async fn send_patch(
        &self,
        group: &Group,
        plan: Plan,
        mode: UpdateMode,
        apply: impl FnOnce(Vec<PatchEntry>) -> solana_instruction::Instruction,
        propose: impl FnOnce(u64, Vec<PatchEntry>) -> solana_instruction::Instruction,
        describe: impl Fn(&PatchEntry) -> String,
        out: &mut ConfigUpdate,
    ) -> CliResult<()> {
        let role = self.role(group)?;
        match mode {
            UpdateMode::Apply => {
                if !plan.propose.is_empty() {
                    let fields: Vec<String> = plan.propose.iter().map(&describe).collect();
                    return Err(CliError::input(match role {
                        Role::Guardian => format!("the risk guardian may only tighten; these do not: {}", fields.join("; ")),
                        Role::Admin => format!(
                            "these wait for the group's {} s timelock: {}; send them with `ballast gov propose`",
                            group.config.timelock_delay_secs,
                            fields.join("; ")
                        ),
                    }));
                }
                if plan.apply_now.len() > MAX_PATCH_ENTRIES {
                    return Err(CliError::input(format!(
                        "more than {MAX_PATCH_ENTRIES} fields in one change"
                    )));
                }
                out.signature = Some(self.send(&[apply(plan.apply_now)]).await?);
                out.mode = "applied".into();
            }
            UpdateMode::Propose => {
                if role != Role::Admin {
                    return Err(CliError::input("only the admin proposes"));
                }
                let mut entries = plan.apply_now;
                entries.extend(plan.propose);
                entries.sort_by_key(|e| e.field);
                if entries.len() > MAX_PATCH_ENTRIES {
                    return Err(CliError::input(format!(
                        "more than {MAX_PATCH_ENTRIES} fields in one proposal"
                    )));
                }
                let n = group.proposal_count;
                let i = propose(n, entries);
                out.signature = Some(self.send(&[i]).await?);
                let proposal = ix::proposal_address(&self.group, n);
                if let Some(raw) = self.chain.account(&proposal).await? {
                    out.executable_at =
                        decode::<Proposal>(&proposal, &raw.data, "Proposal").ok().map(|p| p.eta);
                }
                out.proposal = Some(proposal.to_string());
                out.mode = "proposed".into();
            }
        }
        Ok(())
    }

    /// Reads the asset's config, applies the fields `params` names, validates, and sends the
    /// difference as a patch (`mode`).
    pub async fn asset_update(
        &self,
        asset: &AssetRef,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        mode: UpdateMode,
        dry_run: bool,
    ) -> CliResult<ConfigUpdate> {
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, asset)?;
        let old = entry.state.config;
        let mut new = params.apply(&old)?;
        if let Some(account) = oracle_account {
            new.oracle = account;
        } else if (old.oracle_kind, old.feed_id) != (new.oracle_kind, new.feed_id) {
            // a new pull feed without a named account pins its sponsored feed account
            new.oracle = Pubkey::default();
        }
        pin_default_account(&mut new);
        validate_asset_config(&new).map_err(from_anchor)?;
        let oracle = new.oracle;
        let changes = diff(&AssetParams::from_config(&old), &AssetParams::from_config(&new));
        let mut out = ConfigUpdate::unsent(entry.key, changes, dry_run);
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let group = snap.group;
        let role = self.role(&group)?;
        let plan =
            governance::asset_plan(&entry.state, &new, role, group.config.timelock_delay_secs, snap.now)
                .map_err(|e| CliError::input(format!("{e:?}")))?;
        let (key, authority) = (entry.key, self.signer.pubkey());
        let apply = |entries| ix::apply_asset_patch(self.group, authority, key, oracle, entries);
        let payer = self.payer().pubkey();
        let propose = |n, entries| ix::propose_patch(self.group, authority, payer, Some(key), n, entries);
        let describe = |e: &PatchEntry| governance::describe_asset_entry(&old, e);
        self.send_patch(&group, plan, mode, apply, propose, describe, &mut out).await?;
        Ok(out)
    }

    /// The group's config with the fields `params` names (and the guardian, if given), sent as a
    /// patch (`mode`).
    pub async fn group_update(
        &self,
        params: &GroupParams,
        risk_guardian: Option<Pubkey>,
        mode: UpdateMode,
        dry_run: bool,
    ) -> CliResult<ConfigUpdate> {
        let group = self.group_state().await?;
        let old = group.config;
        let new = params.apply(&old)?;
        validate_group_config(&new).map_err(from_anchor)?;
        let mut changes = diff(&GroupParams::from_config(&old), &GroupParams::from_config(&new));
        let guardian = risk_guardian.unwrap_or(group.risk_guardian);
        if guardian != group.risk_guardian {
            changes.push(FieldChange {
                field: "risk_guardian".into(),
                old: group.risk_guardian.to_string().into(),
                new: guardian.to_string().into(),
            });
        }
        let mut out = ConfigUpdate::unsent(self.group, changes, dry_run);
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let role = self.role(&group)?;
        let plan = governance::group_plan(&group, &new, guardian, role);
        let authority = self.signer.pubkey();
        let apply = |entries| ix::apply_group_patch(self.group, authority, entries);
        let payer = self.payer().pubkey();
        let propose = |n, entries| ix::propose_patch(self.group, authority, payer, None, n, entries);
        let describe = |e: &PatchEntry| governance::describe_group_entry(&group, e);
        self.send_patch(&group, plan, mode, apply, propose, describe, &mut out).await?;
        Ok(out)
    }

    /// Market `index`'s config with the fields `params` names, validated, sent as a patch
    /// (`mode`). The series' terms (kind, expiry, contract size, settlement window) are not
    /// patchable: a file that changes them is refused.
    pub async fn market_update(
        &self,
        index: u16,
        params: &MarketParams,
        mode: UpdateMode,
        dry_run: bool,
    ) -> CliResult<ConfigUpdate> {
        let snap = self.snapshot().await?;
        let entry = snap.market(index)?;
        let old = entry.state.config;
        let new = params.apply(&old);
        let terms = |c: &ballast_sdk::ballast::state::MarketConfig| {
            (c.kind, c.expiry_ts, c.contract_size, c.settlement_window_secs)
        };
        if terms(&new) != terms(&old) {
            return Err(CliError::input(
                "a market's kind, expiry, contract size and settlement window are its series' terms and \
                 cannot change; list a new market instead",
            ));
        }
        validate_market_params(&new).map_err(from_anchor)?;
        let changes = diff(&MarketParams::from_config(&old), &MarketParams::from_config(&new));
        let mut out = ConfigUpdate::unsent(entry.key, changes, dry_run);
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let group = snap.group;
        let role = self.role(&group)?;
        let plan = governance::market_plan(&old, &new, role, group.config.timelock_delay_secs);
        let (key, authority, payer) = (entry.key, self.signer.pubkey(), self.payer().pubkey());
        let apply = |entries| ix::apply_market_patch(self.group, authority, key, entries);
        let propose = |n, entries| ix::propose_market_patch(self.group, authority, payer, key, n, entries);
        let describe = |e: &PatchEntry| governance::describe_market_entry(&old, e);
        self.send_patch(&group, plan, mode, apply, propose, describe, &mut out).await?;
        Ok(out)
    }

    async fn proposal(&self, key: &Pubkey) -> CliResult<Proposal> {
        let raw = self.chain.account(key).await?.ok_or(SdkError::AccountNotFound(*key))?;
        Ok(decode(key, &raw.data, "Proposal")?)
    }

    /// Every proposal of the group (or the one given), described against the configs now.
    pub async fn gov_show(&self, only: Option<Pubkey>) -> CliResult<ProposalList> {
        let group = self.group_state().await?;
        let keys: Vec<Pubkey> = match only {
            Some(k) => vec![k],
            None => (0..group.proposal_count).map(|n| ix::proposal_address(&self.group, n)).collect(),
        };
        let mut proposals = Vec::new();
        for key in keys {
            let p = self.proposal(&key).await?;
            let entries = match p.target_kind() {
                ProposalTarget::Group => {
                    p.entries().iter().map(|e| governance::describe_group_entry(&group, e)).collect()
                }
                ProposalTarget::Asset => {
                    let raw =
                        self.chain.account(&p.target).await?.ok_or(SdkError::AccountNotFound(p.target))?;
                    let asset: Asset = decode(&p.target, &raw.data, "Asset")?;
                    p.entries().iter().map(|e| governance::describe_asset_entry(&asset.config, e)).collect()
                }
                ProposalTarget::Market => {
                    let raw =
                        self.chain.account(&p.target).await?.ok_or(SdkError::AccountNotFound(p.target))?;
                    let market: Market = decode(&p.target, &raw.data, "Market")?;
                    p.entries().iter().map(|e| governance::describe_market_entry(&market.config, e)).collect()
                }
            };
            proposals.push(ProposalView {
                proposal: key.to_string(),
                number: p.proposal_num,
                target: p.target.to_string(),
                status: status_name(p.status()),
                proposer: p.proposer.to_string(),
                created_at: p.created_ts,
                executable_at: p.eta,
                lapses_at: p.eta.saturating_add(PROPOSAL_GRACE_SECS),
                entries,
            });
        }
        Ok(ProposalList {
            group: self.group.to_string(),
            timelock_delay_secs: group.config.timelock_delay_secs,
            proposals,
        })
    }

    /// Executes a proposal (anyone), passing the oracle account the patched config pins.
    pub async fn gov_execute(&self, key: &Pubkey) -> CliResult<GovAction> {
        let p = self.proposal(key).await?;
        let asset = match p.target_kind() {
            ProposalTarget::Group => None,
            ProposalTarget::Market => {
                let i = ix::execute_market_proposal(self.group, *key, p.target, self.signer.pubkey());
                return Ok(GovAction {
                    action: "executed".into(),
                    target: key.to_string(),
                    signature: self.send(&[i]).await?,
                });
            }
            ProposalTarget::Asset => {
                let raw = self.chain.account(&p.target).await?.ok_or(SdkError::AccountNotFound(p.target))?;
                let asset: Asset = decode(&p.target, &raw.data, "Asset")?;
                let (mut patched, _) =
                    ballast_sdk::ballast::patch::apply(&asset.config, p.entries()).map_err(from_anchor)?;
                pin_default_account(&mut patched);
                Some((p.target, patched.oracle))
            }
        };
        let i = ix::execute_proposal(self.group, *key, asset, self.signer.pubkey());
        Ok(GovAction {
            action: "executed".into(),
            target: key.to_string(),
            signature: self.send(&[i]).await?,
        })
    }

    pub async fn gov_cancel(&self, key: &Pubkey) -> CliResult<GovAction> {
        let i = ix::cancel_proposal(self.group, *key, self.signer.pubkey());
        Ok(GovAction {
            action: "cancelled".into(),
            target: key.to_string(),
            signature: self.send(&[i]).await?,
        })
    }

    pub async fn gov_propose_admin(&self, new_admin: &Pubkey) -> CliResult<GovAction> {
        let i = ix::propose_admin(self.group, self.signer.pubkey(), *new_admin);
        Ok(GovAction {
            action: format!("offered the admin role to {new_admin}"),
            target: self.group.to_string(),
            signature: self.send(&[i]).await?,
        })
    }

    pub async fn gov_accept_admin(&self) -> CliResult<GovAction> {
        let i = ix::accept_admin(self.group, self.signer.pubkey());
        Ok(GovAction {
            action: format!("{} is now the admin", self.signer.pubkey()),
            target: self.group.to_string(),
            signature: self.send(&[i]).await?,
        })
    }

    /// `pause` (`actions` bits), `unpause` or `clear` on an asset, or group-wide.
    pub async fn guardian_pause(
        &self,
        asset: Option<&AssetRef>,
        action: PauseCommand,
    ) -> CliResult<GovAction> {
        let asset_key = match asset {
            Some(a) => Some(find_asset(&self.snapshot().await?, a)?.key),
            None => None,
        };
        let me = self.signer.pubkey();
        let (i, what) = match action {
            PauseCommand::Pause(bits) => {
                (ix::pause(self.group, me, asset_key, bits), format!("paused actions {bits:#05b}"))
            }
            PauseCommand::Unpause => (ix::unpause(self.group, me, asset_key), "unpaused".to_string()),
            PauseCommand::ClearExpired => {
                (ix::clear_expired_pause(self.group, asset_key, me), "cleared".to_string())
            }
        };
        let target = asset_key.unwrap_or(self.group).to_string();
        Ok(GovAction { action: what, target, signature: self.send(&[i]).await? })
    }
}

/// What `guardian_pause` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseCommand {
    Pause(u8),
    Unpause,
    ClearExpired,
}
