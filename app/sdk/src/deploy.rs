//! Declarative deployment: a group and its assets described in a config file (TOML in
//! `migrations/`), applied idempotently. Applying the same config twice does nothing the second
//! time. A changed parameter becomes a patch by the program's rules (`crate::governance`):
//! tightenings (and, in a group without a timelock, loosenings) are applied at once; loosenings
//! in a timelocked group are proposed, unless a pending proposal already holds the same patch;
//! the report says which. Real deployments and the sandbox use the same format and the same code.

use crate::chain::Chain;
pub use crate::config::{parse_feed_id, parse_pubkey};
use crate::config::{unset_fields, AssetParams, GroupParams};
use crate::governance;
use crate::ix;
use crate::{decode, SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use ballast::risk::governance::Role;
use ballast::state::{
    Asset, AssetConfig, Group, GroupConfig, OracleKind, PatchEntry, Proposal, ProposalStatus,
};
use serde::Deserialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::HashMap;

#[derive(Debug, Clone, Deserialize)]
pub struct DeploymentConfig {
    pub group: GroupSection,
    pub assets: Vec<AssetSection>,
}

/// The group: its number and guardian, and its config (the fields of
/// [`GroupParams`]; `z_init_bps`, `z_maint_bps` and `correlation_groups` may be left out).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSection {
    pub group_num: u16,
    /// Defaults to the admin.
    pub risk_guardian: Option<String>,
    #[serde(flatten)]
    pub config: GroupParams,
}

/// Group fields a deployment must name (the rest default to `GroupConfig::template()`).
pub const REQUIRED_GROUP_FIELDS: &[&str] =
    &["liquidation_bonus_ramp_secs", "insurance_share_bps", "dust_value"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSection {
    pub symbol: String,
    /// The token's mint. The sandbox creates mints for assets without one.
    pub mint: Option<String>,
    pub decimals: u8,
    /// "spl-token" or "token-2022".
    pub token_program: String,
    pub oracle: OracleSection,
    /// Every governance parameter but the oracle, as in an `asset register` file.
    pub risk: AssetParams,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleSection {
    /// "pyth-pull" or "pyth-legacy".
    pub kind: String,
    /// Pull: the feed id, hex (0x optional).
    pub feed_id: Option<String>,
    /// Legacy: the price account. Pull: an update account other than the sponsored feed.
    pub account: Option<String>,
}

/// Risk fields a deployment must name; the others (caps, flags, the optional factors, the
/// volatility sampling) default to `AssetConfig::template()`.
pub const REQUIRED_RISK_FIELDS: &[&str] = &[
    "init_asset_weight_bps",
    "maint_asset_weight_bps",
    "init_liab_weight_bps",
    "maint_liab_weight_bps",
    "liquidation_fee_bps",
    "max_liquidation_fee_bps",
    "max_staleness_secs",
    "max_conf_bps",
    "liquidation_max_conf_bps",
    "conf_multiplier_bps",
    "max_ema_deviation_bps",
    "protocol_fee_bps",
    "util0_bps",
    "rate0_bps",
    "util1_bps",
    "rate1_bps",
    "max_rate_bps",
];

fn bad(msg: String) -> SdkError {
    SdkError::Config(msg)
}

fn require_fields<T: serde::Serialize>(what: &str, params: &T, required: &[&'static str]) -> SdkResult<()> {
    match unset_fields(params, required).as_slice() {
        [] => Ok(()),
        missing => Err(bad(format!("{what}: missing field(s) {}", missing.join(", ")))),
    }
}

impl GroupSection {
    pub fn to_config(&self) -> SdkResult<GroupConfig> {
        require_fields("group", &self.config, REQUIRED_GROUP_FIELDS)?;
        self.config.apply(&GroupConfig::template())
    }
}

impl AssetSection {
    pub fn token_program_id(&self) -> SdkResult<Pubkey> {
        match self.token_program.as_str() {
            "spl-token" => Ok(spl_token_interface::ID),
            "token-2022" => Ok(spl_token_2022_interface::ID),
            other => Err(bad(format!(
                "{}: token_program must be spl-token or token-2022, not {other}",
                self.symbol
            ))),
        }
    }

    pub fn to_config(&self) -> SdkResult<AssetConfig> {
        let r = &self.risk;
        if r.names_oracle() {
            return Err(bad(format!("{}: name the oracle in `oracle`, not in `risk`", self.symbol)));
        }
        require_fields(&format!("{} risk", self.symbol), r, REQUIRED_RISK_FIELDS)?;
        let (oracle_kind, oracle, feed_id) = match self.oracle.kind.as_str() {
            "pyth-pull" => {
                let feed = self
                    .oracle
                    .feed_id
                    .as_deref()
                    .ok_or_else(|| bad(format!("{}: pyth-pull needs feed_id", self.symbol)))?;
                let feed_id = parse_feed_id(feed)?;
                // The program pins the sponsored feed account when the config names none; the
                // config sent says so explicitly, so it compares equal to what is stored.
                let account = match self.oracle.account.as_deref() {
                    Some(a) => parse_pubkey(a)?,
                    None => crate::sponsored_feed_address(&feed_id, 0),
                };
                (OracleKind::PythPull, account, feed_id)
            }
            "pyth-legacy" => {
                let acc = self
                    .oracle
                    .account
                    .as_deref()
                    .ok_or_else(|| bad(format!("{}: pyth-legacy needs account", self.symbol)))?;
                (OracleKind::PythLegacy, parse_pubkey(acc)?, [0u8; 32])
            }
            other => return Err(bad(format!("{}: unknown oracle kind {other}", self.symbol))),
        };
        Ok(AssetConfig {
            oracle,
            feed_id,
            oracle_kind: oracle_kind as u8,
            ..r.apply(&AssetConfig::template())?
        })
    }
}

/// The group's proposals as `apply` found them, so a second run does not propose again what a
/// pending proposal already holds.
struct Proposals {
    /// The group's `proposal_count` (the next proposal's number).
    next: u64,
    pending: Vec<(u64, Proposal)>,
}

impl Proposals {
    /// The group's proposals still executable or waiting at `now` (lapsed ones are not pending
    /// in any useful sense: they can never run).
    async fn load<C: Chain>(chain: &C, group: &Pubkey, now: i64) -> SdkResult<Proposals> {
        let Some(raw) = chain.account(group).await? else {
            return Ok(Proposals { next: 0, pending: Vec::new() });
        };
        let g: Group = decode(group, &raw.data, "Group")?;
        let mut pending = Vec::new();
        for n in 0..g.proposal_count {
            let key = ix::proposal_address(group, n);
            if let Some(raw) = chain.account(&key).await? {
                let p: Proposal = decode(&key, &raw.data, "Proposal")?;
                let lapsed = now > p.eta.saturating_add(ballast::risk::governance::PROPOSAL_GRACE_SECS);
                if p.status() == ProposalStatus::Pending && !lapsed {
                    pending.push((n, p));
                }
            }
        }
        Ok(Proposals { next: g.proposal_count, pending })
    }

    /// Proposes `patch` for `target` unless a pending proposal holds exactly it; says which.
    async fn propose<C: Chain>(
        &mut self,
        chain: &C,
        payer: &Keypair,
        admin: &Keypair,
        group: Pubkey,
        target: Pubkey,
        patch: Vec<PatchEntry>,
    ) -> SdkResult<String> {
        if let Some((n, p)) =
            self.pending.iter().find(|(_, p)| p.target == target && p.entries() == patch.as_slice())
        {
            return Ok(format!("already proposed as #{n} (executable from {})", p.eta));
        }
        let n = self.next;
        let asset = (target != group).then_some(target);
        let i = ix::propose_patch(group, admin.pubkey(), payer.pubkey(), asset, n, patch);
        chain.send(&[i], payer, &[admin]).await?;
        self.next += 1;
        Ok(format!("proposed #{n} {}", ix::proposal_address(&group, n)))
    }
}

/// What `apply` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployReport {
    pub group: Pubkey,
    /// One line per change made; empty when the chain already matched the config.
    pub actions: Vec<String>,
    /// Asset address per symbol.
    pub assets: Vec<(String, Pubkey)>,
}

/// Brings the chain in line with `cfg`. `mints` supplies mints for assets whose config has none
/// (the sandbox's freshly created ones).
pub async fn apply<C: Chain>(
    chain: &C,
    payer: &Keypair,
    admin: &Keypair,
    cfg: &DeploymentConfig,
    mints: &HashMap<String, Pubkey>,
) -> SdkResult<DeployReport> {
    let admin_key = admin.pubkey();
    let group = ix::group_address(&admin_key, cfg.group.group_num);
    let mut report = DeployReport { group, ..DeployReport::default() };
    let group_config = cfg.group.to_config()?;
    let guardian = cfg.group.risk_guardian.as_deref().map(parse_pubkey).transpose()?;
    let now = chain.unix_timestamp().await?;
    let mut proposals = Proposals::load(chain, &group, now).await?;
    let mut current_group: Option<Group> = None;
    match chain.account(&group).await? {
        None => {
            let guardian = guardian.unwrap_or(admin_key);
            let i = ix::init_group(payer.pubkey(), admin_key, cfg.group.group_num, guardian, group_config);
            chain.send(&[i], payer, &[admin]).await?;
            report.actions.push(format!("init_group {group}"));
        }
        Some(raw) => {
            let current: Group = decode(&group, &raw.data, "Group")?;
            let guardian = guardian.unwrap_or(current.risk_guardian);
            let plan = governance::group_plan(&current, &group_config, guardian, Role::Admin);
            let describe = |e: &PatchEntry| governance::describe_group_entry(&current, e);
            if !plan.apply_now.is_empty() {
                for patch in governance::chunks(&plan.apply_now) {
                    let lines: Vec<String> = patch.iter().map(describe).collect();
                    chain.send(&[ix::apply_group_patch(group, admin_key, patch)], payer, &[admin]).await?;
                    report.actions.push(format!("applied to group: {}", lines.join(", ")));
                }
            }
            for patch in governance::chunks(&plan.propose) {
                let lines: Vec<String> = patch.iter().map(describe).collect();
                let line = proposals.propose(chain, payer, admin, group, group, patch).await?;
                report.actions.push(format!("{line} for group: {}", lines.join(", ")));
            }
            current_group = Some(current);
        }
    }
    // the delay in force for the assets' patches: after the group's own changes above
    let delay = match current_group {
        None => group_config.timelock_delay_secs,
        Some(_) => match chain.account(&group).await? {
            Some(raw) => decode::<Group>(&group, &raw.data, "Group")?.config.timelock_delay_secs,
            None => group_config.timelock_delay_secs,
        },
    };
    for a in &cfg.assets {
        let mint = match &a.mint {
            Some(m) => parse_pubkey(m)?,
            None => *mints.get(&a.symbol).ok_or_else(|| bad(format!("{}: no mint", a.symbol)))?,
        };
        let config = a.to_config()?;
        // the oracle account passed at registration and update: the one the config pins
        let oracle = config.oracle;
        let asset = ix::asset_address(&group, &mint);
        match chain.account(&asset).await? {
            None => {
                let i = ix::register_asset(
                    group,
                    admin_key,
                    payer.pubkey(),
                    mint,
                    a.token_program_id()?,
                    oracle,
                    config,
                );
                chain.send(&[i], payer, &[admin]).await?;
                report.actions.push(format!("register_asset {} {asset}", a.symbol));
            }
            Some(raw) => {
                let current: Asset = decode(&asset, &raw.data, "Asset")?;
                let plan = governance::asset_plan(&current, &config, Role::Admin, delay, now)
                    .map_err(|e| bad(format!("{}: {e:?}", a.symbol)))?;
                let describe = |e: &PatchEntry| governance::describe_asset_entry(&current.config, e);
                // the oracle the at-once part leaves pinned (an oracle change may be proposed)
                let (mut at_once, _) = ballast::patch::apply(&current.config, &plan.apply_now)
                    .unwrap_or((current.config, Vec::new()));
                ballast::oracle::pyth_pull::pin_default_account(&mut at_once);
                for patch in governance::chunks(&plan.apply_now) {
                    let lines: Vec<String> = patch.iter().map(describe).collect();
                    let i = ix::apply_asset_patch(group, admin_key, asset, at_once.oracle, patch);
                    chain.send(&[i], payer, &[admin]).await?;
                    report.actions.push(format!("applied to {}: {}", a.symbol, lines.join(", ")));
                }
                for patch in governance::chunks(&plan.propose) {
                    let lines: Vec<String> = patch.iter().map(describe).collect();
                    let line = proposals.propose(chain, payer, admin, group, asset, patch).await?;
                    report.actions.push(format!("{line} for {}: {}", a.symbol, lines.join(", ")));
                }
            }
        }
        report.assets.push((a.symbol.clone(), asset));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> DeploymentConfig {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sandbox.toml");
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_sandbox_deployment_parses_and_validates() {
        let cfg = sandbox();
        let group = cfg.group.to_config().unwrap();
        assert_eq!((group.dust_value, group.z_init_bps), (10_000, 23_300));
        assert!(group.correlation_groups[0].is_used());
        ballast::validation::validate_group_config(&group).unwrap();
        for a in &cfg.assets {
            let c = a.to_config().unwrap();
            ballast::validation::validate_asset_config(&c).unwrap_or_else(|e| panic!("{}: {e}", a.symbol));
            // what the file leaves out comes from the template
            assert_eq!(c.vol_sample_interval_secs, a.risk.vol_sample_interval_secs.unwrap_or(3_600));
            assert_eq!(c.ewma_lambda_bps, a.risk.ewma_lambda_bps.unwrap_or(9_400));
            if a.oracle.kind == "pyth-pull" && a.oracle.account.is_none() {
                assert_eq!(c.oracle, crate::sponsored_feed_address(&c.feed_id, 0));
            }
        }
        assert_eq!(cfg.assets[0].to_config().unwrap().deposit_cap, u64::MAX);
    }

    #[test]
    fn required_unknown_and_misplaced_fields_are_refused() {
        let mut cfg = sandbox();
        cfg.group.config.dust_value = None;
        assert!(cfg.group.to_config().unwrap_err().to_string().contains("dust_value"));
        cfg.assets[0].risk.max_conf_bps = None;
        let e = cfg.assets[0].to_config().unwrap_err().to_string();
        assert!(e.contains("max_conf_bps"), "{e}");
        cfg.assets[1].risk.feed_id = Some("0x00".into());
        assert!(cfg.assets[1].to_config().unwrap_err().to_string().contains("not in `risk`"));
        let text = "group_num = 0\nliquidation_bonus_ramp_secs = 1\ninsurance_share_bps = 1\n\
                    dust_value = 1\ndust_valeu = 1\n";
        assert!(toml::from_str::<GroupSection>(text).is_err(), "typos are refused next to flattened fields");
        let ok = text.replace("dust_valeu = 1\n", "");
        assert_eq!(toml::from_str::<GroupSection>(&ok).unwrap().to_config().unwrap().dust_value, 1);
    }
}
