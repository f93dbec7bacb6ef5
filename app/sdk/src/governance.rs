//! Governance from the client side: the patch that turns a config into another, split into what
//! applies at once and what must be proposed, by the program's own rules
//! (`ballast::patch`, `ballast::risk::governance`), and patch entries as people read them.

use anchor_lang::prelude::Pubkey;
use ballast::instructions::governance::patching::judge_asset_change;
use ballast::math::MathResult;
use ballast::oracle::pyth_pull::pin_default_account;
use ballast::patch::{diff, GroupSettings, PatchTarget};
use ballast::risk::governance::{
    may_apply_now, value_to_u64, AssetField, Change, FieldKind, GroupField, MarketField, Role,
};
use ballast::state::{Asset, AssetConfig, Group, GroupConfig, MarketConfig, PatchEntry, MAX_PATCH_ENTRIES};

/// A desired change, split as the program will treat it when `role` sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Entries `role` may apply at once (`apply_*_patch`).
    pub apply_now: Vec<PatchEntry>,
    /// Entries that must go through `propose_patch` and the timelock (for the guardian: refused).
    pub propose: Vec<PatchEntry>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.apply_now.is_empty() && self.propose.is_empty()
    }
}

fn plan<T: PatchTarget>(
    current: &T,
    desired: &T,
    role: Role,
    timelock_delay_secs: u32,
    guardian_may_tighten: impl Fn(T::Field) -> bool,
    judge: impl Fn(T::Field, &[u8; 32], &[u8; 32]) -> Change,
) -> Plan {
    let mut plan = Plan::default();
    for e in diff(current, desired) {
        let f = T::parse(e.field).expect("diff yields known fields");
        let change = judge(f, &current.get(f), &e.value);
        match may_apply_now(role, change, guardian_may_tighten(f), timelock_delay_secs) {
            Ok(()) => plan.apply_now.push(e),
            Err(_) => plan.propose.push(e),
        }
    }
    plan
}

/// The plan that turns `asset`'s config into `desired` at `now` (an unset pull-oracle account is
/// pinned first, and maintenance weights are judged against the weights in force, as the
/// program does).
pub fn asset_plan(
    asset: &Asset,
    desired: &AssetConfig,
    role: Role,
    timelock_delay_secs: u32,
    now: i64,
) -> MathResult<Plan> {
    let mut desired = *desired;
    pin_default_account(&mut desired);
    let in_force = asset.weights_at(now)?;
    let judge = |f: AssetField, old: &[u8; 32], new: &[u8; 32]| judge_asset_change(f, old, new, &in_force);
    Ok(plan(
        &asset.config,
        &desired,
        role,
        timelock_delay_secs,
        |f: AssetField| f.guardian_may_tighten(),
        judge,
    ))
}

/// The plan that turns the group's settings into `desired` (and `desired_guardian`).
pub fn group_plan(group: &Group, desired: &GroupConfig, desired_guardian: Pubkey, role: Role) -> Plan {
    let current = GroupSettings { config: group.config, risk_guardian: group.risk_guardian };
    let desired = GroupSettings { config: *desired, risk_guardian: desired_guardian };
    let judge = |f: GroupField, old: &[u8; 32], new: &[u8; 32]| GroupSettings::classify(f, old, new);
    plan(&current, &desired, role, group.config.timelock_delay_secs, |_| true, judge)
}

/// The plan that turns a market's config into `desired`.
pub fn market_plan(
    current: &MarketConfig,
    desired: &MarketConfig,
    role: Role,
    timelock_delay_secs: u32,
) -> Plan {
    let judge = |f: MarketField, old: &[u8; 32], new: &[u8; 32]| MarketConfig::classify(f, old, new);
    plan(current, desired, role, timelock_delay_secs, |_| true, judge)
}

/// Splits entries into patches the program accepts (at most `MAX_PATCH_ENTRIES` each).
pub fn chunks(entries: &[PatchEntry]) -> impl Iterator<Item = Vec<PatchEntry>> + '_ {
    entries.chunks(MAX_PATCH_ENTRIES).map(|c| c.to_vec())
}

fn show_value(kind: FieldKind, v: &[u8; 32]) -> String {
    match kind {
        FieldKind::Bytes32 => Pubkey::new_from_array(*v).to_string(),
        _ => value_to_u64(v, u64::MAX).map_or_else(|| "(out of range)".into(), |n| n.to_string()),
    }
}

/// `field: old -> new` for an asset patch entry (old from `current`).
pub fn describe_asset_entry(current: &AssetConfig, e: &PatchEntry) -> String {
    match AssetField::from_u16(e.field) {
        Some(f) => format!(
            "{}: {} -> {}",
            f.label(),
            show_value(f.kind(), &current.get(f)),
            show_value(f.kind(), &e.value)
        ),
        None => format!("unknown asset field {}", e.field),
    }
}

/// `field: old -> new` for a group patch entry.
pub fn describe_group_entry(group: &Group, e: &PatchEntry) -> String {
    let current = GroupSettings { config: group.config, risk_guardian: group.risk_guardian };
    match GroupField::from_u16(e.field) {
        Some(f) => format!(
            "{}: {} -> {}",
            f.label(),
            show_value(f.kind(), &current.get(f)),
            show_value(f.kind(), &e.value)
        ),
        None => format!("unknown group field {}", e.field),
    }
}

/// `field: old -> new` for a market patch entry.
pub fn describe_market_entry(current: &MarketConfig, e: &PatchEntry) -> String {
    match MarketField::from_u16(e.field) {
        Some(f) => format!(
            "{}: {} -> {}",
            f.label(),
            show_value(f.kind(), &current.get(f)),
            show_value(f.kind(), &e.value)
        ),
        None => format!("unknown market field {}", e.field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AssetConfig {
        AssetConfig {
            feed_id: [1; 32],
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 9_000,
            init_liab_weight_bps: 12_000,
            maint_liab_weight_bps: 11_000,
            ..AssetConfig::template()
        }
    }

    #[test]
    fn plans_split_tightenings_from_loosenings_by_role_and_delay() {
        let mut current = config();
        pin_default_account(&mut current);
        let mut asset: Asset = bytemuck::Zeroable::zeroed();
        asset.apply_config(&current).unwrap();
        let desired = AssetConfig { init_asset_weight_bps: 7_000, liquidation_fee_bps: 400, ..config() };
        let admin = asset_plan(&asset, &desired, Role::Admin, 86_400, 0).unwrap();
        assert_eq!(admin.apply_now.len(), 1);
        assert_eq!(admin.propose.len(), 1);
        assert_eq!(admin.propose[0].field, AssetField::LiquidationFeeBps as u16);
        // no timelock: the admin applies both
        assert_eq!(asset_plan(&asset, &desired, Role::Admin, 0, 0).unwrap().apply_now.len(), 2);
        // the guardian's loosening can only be refused
        let guardian = asset_plan(&asset, &desired, Role::Guardian, 0, 0).unwrap();
        assert_eq!((guardian.apply_now.len(), guardian.propose.len()), (1, 1));
        // the unset oracle is pinned as on chain: no spurious oracle entry
        assert!(asset_plan(&asset, &config(), Role::Admin, 0, 0).unwrap().is_empty());
        assert_eq!(
            describe_asset_entry(&current, &admin.apply_now[0]),
            "init_asset_weight_bps: 8000 -> 7000"
        );
    }

    #[test]
    fn market_plans_timelock_what_moves_maint() {
        let current = MarketConfig { expiry_ts: 10, contract_size: 1, ..MarketConfig::template() };
        let desired = MarketConfig {
            flags: ballast::state::MARKET_FLAG_REDUCE_ONLY,
            open_interest_cap: 1_000,
            scan_range_multiplier_bps: 15_000,
            ..current
        };
        let guardian = market_plan(&current, &desired, Role::Guardian, 86_400);
        let fields = |v: &[PatchEntry]| v.iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(
            fields(&guardian.apply_now),
            [MarketField::OpenInterestCap as u16, MarketField::ReduceOnly as u16]
        );
        // a wider range tightens, but moves Maint at once: the timelock, even for the admin
        assert_eq!(fields(&guardian.propose), [MarketField::ScanRangeMultiplierBps as u16]);
        let admin = market_plan(&current, &desired, Role::Admin, 86_400);
        assert_eq!(fields(&admin.propose), [MarketField::ScanRangeMultiplierBps as u16]);
        assert_eq!(market_plan(&current, &desired, Role::Admin, 0).apply_now.len(), 3);
        assert_eq!(
            describe_market_entry(&current, &guardian.apply_now[0]),
            "open_interest_cap: 18446744073709551615 -> 1000"
        );
    }
}
