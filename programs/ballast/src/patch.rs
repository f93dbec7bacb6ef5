//! Patches on the program's configs: reading and writing each `governance` field of an
//! `AssetConfig` or a group's settings, applying a list of entries, and the diff of two configs
//! (which clients send). The rules (which way tightens, who may apply what) are the engine's
//! (`risk::governance`); this module is where they meet the account layout.

use crate::error::BallastError;
use crate::risk::governance::{
    value_from_u64, value_to_u64, AssetField, Change, FieldKind, FieldValue, GroupField, MarketField,
};
use crate::state::{
    AssetConfig, GroupConfig, MarketConfig, PatchEntry, VolSurfaceConfig, ASSET_FLAG_FROZEN,
    ASSET_FLAG_REDUCE_ONLY, MARKET_FLAG_REDUCE_ONLY, MAX_PATCH_ENTRIES,
};
use anchor_lang::prelude::*;

/// One applied entry, as events report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct FieldChanged {
    pub field: u16,
    pub old: [u8; 32],
    pub new: [u8; 32],
}

/// A patch entry judged against the config it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgedEntry<F> {
    pub field: F,
    pub change: Change,
    pub old: FieldValue,
    pub new: FieldValue,
}

impl<F: Copy + Into<u16>> JudgedEntry<F> {
    pub fn event(&self) -> FieldChanged {
        FieldChanged { field: self.field.into(), old: self.old, new: self.new }
    }
}

fn flag(flags: u8, bit: u8) -> u64 {
    u64::from(flags & bit != 0)
}

fn with_flag(flags: u8, bit: u8, on: bool) -> u8 {
    if on {
        flags | bit
    } else {
        flags & !bit
    }
}

/// The current value of `field` in `c`.
pub fn asset_field(c: &AssetConfig, field: AssetField) -> FieldValue {
    use AssetField::*;
    let n = |v: u64| value_from_u64(v);
    if let Some((bucket, k)) = field.vol_surface_slot() {
        return n((*vol_surface_slot(&mut c.vol_surface.clone(), bucket, k)).into());
    }
    match field {
        DepositCap => n(c.deposit_cap),
        BorrowCap => n(c.borrow_cap),
        MaxStalenessSecs => n(c.max_staleness_secs.into()),
        MaxConfBps => n(c.max_conf_bps.into()),
        LiquidationMaxConfBps => n(c.liquidation_max_conf_bps.into()),
        ConfMultiplierBps => n(c.conf_multiplier_bps.into()),
        MaxEmaDeviationBps => n(c.max_ema_deviation_bps.into()),
        InitAssetWeightBps => n(c.init_asset_weight_bps.into()),
        MaintAssetWeightBps => n(c.maint_asset_weight_bps.into()),
        InitLiabWeightBps => n(c.init_liab_weight_bps.into()),
        MaintLiabWeightBps => n(c.maint_liab_weight_bps.into()),
        LiquidationFeeBps => n(c.liquidation_fee_bps.into()),
        MaxLiquidationFeeBps => n(c.max_liquidation_fee_bps.into()),
        ProtocolFeeBps => n(c.protocol_fee_bps.into()),
        Util0Bps => n(c.util0_bps.into()),
        Rate0Bps => n(c.rate0_bps.into()),
        Util1Bps => n(c.util1_bps.into()),
        Rate1Bps => n(c.rate1_bps.into()),
        MaxRateBps => n(c.max_rate_bps.into()),
        DepositWeightScaleStart => n(c.deposit_weight_scale_start),
        BorrowWeightScaleStart => n(c.borrow_weight_scale_start),
        SigmaFloorBps => n(c.sigma_floor_bps.into()),
        LiquidationHorizonSecs => n(c.liquidation_horizon_secs.into()),
        VolSampleIntervalSecs => n(c.vol_sample_interval_secs.into()),
        EwmaLambdaBps => n(c.ewma_lambda_bps.into()),
        SizeImfPpm => n(c.size_imf_ppm.into()),
        ConcentrationThresholdBps => n(c.concentration_threshold_bps.into()),
        ConcentrationHaircutBps => n(c.concentration_haircut_bps.into()),
        CorrelationGroup => n(c.correlation_group.into()),
        ReduceOnly => n(flag(c.flags, ASSET_FLAG_REDUCE_ONLY)),
        Frozen => n(flag(c.flags, ASSET_FLAG_FROZEN)),
        MaintWeightGlideSecs => n(c.maint_weight_glide_secs.into()),
        OracleKind => n(c.oracle_kind.into()),
        Oracle => c.oracle.to_bytes(),
        FeedId => c.feed_id,
        _ => unreachable!("volatility-surface fields are handled above"),
    }
}

/// One number of a volatility surface: bucket `bucket`'s tenor, ATM, put wing or call wing.
fn vol_surface_slot(s: &mut VolSurfaceConfig, bucket: usize, k: usize) -> &mut u32 {
    let b = &mut s.buckets[bucket];
    match k {
        0 => &mut b.tenor_secs,
        1 => &mut b.atm_vol_bps,
        2 => &mut b.put_wing_bps,
        _ => &mut b.call_wing_bps,
    }
}

/// Writes `value` into `field`, refusing a number that does not fit the field.
pub fn set_asset_field(c: &mut AssetConfig, field: AssetField, value: &FieldValue) -> Result<()> {
    use AssetField::*;
    let kind = field.kind();
    if kind == FieldKind::Bytes32 {
        match field {
            Oracle => c.oracle = Pubkey::new_from_array(*value),
            _ => c.feed_id = *value,
        }
        return Ok(());
    }
    let v = value_to_u64(value, kind.max()).ok_or(BallastError::PatchValueOutOfRange)?;
    let (v32, v8) = (v as u32, v as u8);
    if let Some((bucket, k)) = field.vol_surface_slot() {
        *vol_surface_slot(&mut c.vol_surface, bucket, k) = v32;
        return Ok(());
    }
    match field {
        DepositCap => c.deposit_cap = v,
        BorrowCap => c.borrow_cap = v,
        MaxStalenessSecs => c.max_staleness_secs = v32,
        MaxConfBps => c.max_conf_bps = v32,
        LiquidationMaxConfBps => c.liquidation_max_conf_bps = v32,
        ConfMultiplierBps => c.conf_multiplier_bps = v32,
        MaxEmaDeviationBps => c.max_ema_deviation_bps = v32,
        InitAssetWeightBps => c.init_asset_weight_bps = v32,
        MaintAssetWeightBps => c.maint_asset_weight_bps = v32,
        InitLiabWeightBps => c.init_liab_weight_bps = v32,
        MaintLiabWeightBps => c.maint_liab_weight_bps = v32,
        LiquidationFeeBps => c.liquidation_fee_bps = v32,
        MaxLiquidationFeeBps => c.max_liquidation_fee_bps = v32,
        ProtocolFeeBps => c.protocol_fee_bps = v32,
        Util0Bps => c.util0_bps = v32,
        Rate0Bps => c.rate0_bps = v32,
        Util1Bps => c.util1_bps = v32,
        Rate1Bps => c.rate1_bps = v32,
        MaxRateBps => c.max_rate_bps = v32,
        DepositWeightScaleStart => c.deposit_weight_scale_start = v,
        BorrowWeightScaleStart => c.borrow_weight_scale_start = v,
        SigmaFloorBps => c.sigma_floor_bps = v32,
        LiquidationHorizonSecs => c.liquidation_horizon_secs = v32,
        VolSampleIntervalSecs => c.vol_sample_interval_secs = v32,
        EwmaLambdaBps => c.ewma_lambda_bps = v32,
        SizeImfPpm => c.size_imf_ppm = v32,
        ConcentrationThresholdBps => c.concentration_threshold_bps = v32,
        ConcentrationHaircutBps => c.concentration_haircut_bps = v32,
        CorrelationGroup => c.correlation_group = v8,
        ReduceOnly => c.flags = with_flag(c.flags, ASSET_FLAG_REDUCE_ONLY, v == 1),
        Frozen => c.flags = with_flag(c.flags, ASSET_FLAG_FROZEN, v == 1),
        MaintWeightGlideSecs => c.maint_weight_glide_secs = v32,
        OracleKind => c.oracle_kind = v8,
        Oracle | FeedId => unreachable!("32-byte fields are handled above"),
        _ => unreachable!("volatility-surface fields are handled above"),
    }
    Ok(())
}

/// A group's governable settings: its config and its guardian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSettings {
    pub config: GroupConfig,
    pub risk_guardian: Pubkey,
}

fn correlation_weight(c: &GroupConfig, group: usize, k: usize) -> u32 {
    let g = &c.correlation_groups[group];
    [g.init_asset_weight_bps, g.maint_asset_weight_bps, g.init_liab_weight_bps, g.maint_liab_weight_bps][k]
}

pub fn group_field(s: &GroupSettings, field: GroupField) -> FieldValue {
    use GroupField::*;
    let c = &s.config;
    let n = |v: u64| value_from_u64(v);
    if let Some((g, k)) = field.correlation_slot() {
        return n(correlation_weight(c, g, k).into());
    }
    match field {
        LiquidationBonusRampSecs => n(c.liquidation_bonus_ramp_secs.into()),
        InsuranceShareBps => n(c.insurance_share_bps.into()),
        DustValue => n(c.dust_value),
        ZInitBps => n(c.z_init_bps.into()),
        ZMaintBps => n(c.z_maint_bps.into()),
        TimelockDelaySecs => n(c.timelock_delay_secs.into()),
        RiskGuardian => s.risk_guardian.to_bytes(),
        _ => unreachable!("correlation weights are handled above"),
    }
}

pub fn set_group_field(s: &mut GroupSettings, field: GroupField, value: &FieldValue) -> Result<()> {
    use GroupField::*;
    if field == RiskGuardian {
        s.risk_guardian = Pubkey::new_from_array(*value);
        return Ok(());
    }
    let v = value_to_u64(value, field.kind().max()).ok_or(BallastError::PatchValueOutOfRange)?;
    let c = &mut s.config;
    if let Some((g, k)) = field.correlation_slot() {
        let w = &mut c.correlation_groups[g];
        let slot = match k {
            0 => &mut w.init_asset_weight_bps,
            1 => &mut w.maint_asset_weight_bps,
            2 => &mut w.init_liab_weight_bps,
            _ => &mut w.maint_liab_weight_bps,
        };
        *slot = v as u32;
        return Ok(());
    }
    match field {
        LiquidationBonusRampSecs => c.liquidation_bonus_ramp_secs = v as u32,
        InsuranceShareBps => c.insurance_share_bps = v as u32,
        DustValue => c.dust_value = v,
        ZInitBps => c.z_init_bps = v as u32,
        ZMaintBps => c.z_maint_bps = v as u32,
        TimelockDelaySecs => c.timelock_delay_secs = v as u32,
        _ => unreachable!("handled above"),
    }
    Ok(())
}

/// The current value of `field` in a market's config.
pub fn market_field(c: &MarketConfig, field: MarketField) -> FieldValue {
    use MarketField::*;
    value_from_u64(match field {
        OpenInterestCap => c.open_interest_cap,
        PriceBandBps => c.price_band_bps.into(),
        ScanRangeMultiplierBps => c.scan_range_multiplier_bps.into(),
        MinScanRangeInitBps => c.min_scan_range_init_bps.into(),
        MinScanRangeMaintBps => c.min_scan_range_maint_bps.into(),
        ExtremeMoveMultipleBps => c.extreme_move_multiple_bps.into(),
        ExtremeFractionBps => c.extreme_fraction_bps.into(),
        PnlWeightInitBps => c.pnl_weight_init_bps.into(),
        PnlWeightMaintBps => c.pnl_weight_maint_bps.into(),
        ReduceOnly => flag(c.flags, MARKET_FLAG_REDUCE_ONLY),
        VolShockUpBps => c.vol_shock_up_bps.into(),
        VolShockDownBps => c.vol_shock_down_bps.into(),
        ShortOptionMinimumBps => c.short_option_minimum_bps.into(),
        RiskArrayMaxAgeSecs => c.risk_array_max_age_secs.into(),
        RiskArrayMaxMoveBps => c.risk_array_max_move_bps.into(),
    })
}

/// Writes `value` into a market's `field`, refusing a number that does not fit the field.
pub fn set_market_field(c: &mut MarketConfig, field: MarketField, value: &FieldValue) -> Result<()> {
    use MarketField::*;
    let v = value_to_u64(value, field.kind().max()).ok_or(BallastError::PatchValueOutOfRange)?;
    let v32 = v as u32;
    match field {
        OpenInterestCap => c.open_interest_cap = v,
        PriceBandBps => c.price_band_bps = v32,
        ScanRangeMultiplierBps => c.scan_range_multiplier_bps = v32,
        MinScanRangeInitBps => c.min_scan_range_init_bps = v32,
        MinScanRangeMaintBps => c.min_scan_range_maint_bps = v32,
        ExtremeMoveMultipleBps => c.extreme_move_multiple_bps = v32,
        ExtremeFractionBps => c.extreme_fraction_bps = v32,
        PnlWeightInitBps => c.pnl_weight_init_bps = v32,
        PnlWeightMaintBps => c.pnl_weight_maint_bps = v32,
        ReduceOnly => c.flags = with_flag(c.flags, MARKET_FLAG_REDUCE_ONLY, v == 1),
        VolShockUpBps => c.vol_shock_up_bps = v32,
        VolShockDownBps => c.vol_shock_down_bps = v32,
        ShortOptionMinimumBps => c.short_option_minimum_bps = v32,
        RiskArrayMaxAgeSecs => c.risk_array_max_age_secs = v32,
        RiskArrayMaxMoveBps => c.risk_array_max_move_bps = v32,
    }
    Ok(())
}

/// The fields of one kind of target, so one `apply` serves assets, groups and markets.
pub trait PatchTarget: Sized + Copy {
    type Field: Copy + PartialEq + Into<u16> + 'static;
    fn parse(id: u16) -> Option<Self::Field>;
    fn all() -> &'static [Self::Field];
    fn get(&self, field: Self::Field) -> FieldValue;
    fn set(&mut self, field: Self::Field, value: &FieldValue) -> Result<()>;
    fn classify(field: Self::Field, old: &FieldValue, new: &FieldValue) -> Change;
}

fn classify_value(
    kind: FieldKind,
    direction: crate::risk::governance::Direction,
    old: &FieldValue,
    new: &FieldValue,
) -> Change {
    if old == new {
        return Change::Unchanged;
    }
    match (kind, value_to_u64(old, u64::MAX), value_to_u64(new, u64::MAX)) {
        (FieldKind::Bytes32, _, _) => Change::Loosens,
        (_, Some(o), Some(n)) => direction.classify(o, n),
        _ => Change::Loosens,
    }
}

impl PatchTarget for AssetConfig {
    type Field = AssetField;
    fn parse(id: u16) -> Option<AssetField> {
        AssetField::from_u16(id)
    }
    fn all() -> &'static [AssetField] {
        AssetField::ALL
    }
    fn get(&self, field: AssetField) -> FieldValue {
        asset_field(self, field)
    }
    fn set(&mut self, field: AssetField, value: &FieldValue) -> Result<()> {
        set_asset_field(self, field, value)
    }
    fn classify(field: AssetField, old: &FieldValue, new: &FieldValue) -> Change {
        classify_value(field.kind(), field.direction(), old, new)
    }
}

impl PatchTarget for GroupSettings {
    type Field = GroupField;
    fn parse(id: u16) -> Option<GroupField> {
        GroupField::from_u16(id)
    }
    fn all() -> &'static [GroupField] {
        GroupField::ALL
    }
    fn get(&self, field: GroupField) -> FieldValue {
        group_field(self, field)
    }
    fn set(&mut self, field: GroupField, value: &FieldValue) -> Result<()> {
        set_group_field(self, field, value)
    }
    fn classify(field: GroupField, old: &FieldValue, new: &FieldValue) -> Change {
        classify_value(field.kind(), field.direction(), old, new)
    }
}

impl PatchTarget for MarketConfig {
    type Field = MarketField;
    fn parse(id: u16) -> Option<MarketField> {
        MarketField::from_u16(id)
    }
    fn all() -> &'static [MarketField] {
        MarketField::ALL
    }
    fn get(&self, field: MarketField) -> FieldValue {
        market_field(self, field)
    }
    fn set(&mut self, field: MarketField, value: &FieldValue) -> Result<()> {
        set_market_field(self, field, value)
    }
    fn classify(field: MarketField, old: &FieldValue, new: &FieldValue) -> Change {
        classify_value(field.kind(), field.direction(), old, new)
    }
}

/// `current` with `entries` written in, and each entry judged. Refuses an empty patch, one
/// longer than `MAX_PATCH_ENTRIES`, an unknown field, a field named twice, a value that does
/// not fit, and a patch that changes nothing. The result is not yet validated.
pub fn apply<T: PatchTarget>(current: &T, entries: &[PatchEntry]) -> Result<(T, Vec<JudgedEntry<T::Field>>)> {
    require!(!entries.is_empty(), BallastError::PatchEmpty);
    require!(entries.len() <= MAX_PATCH_ENTRIES, BallastError::PatchTooLong);
    let mut next = *current;
    let mut judged: Vec<JudgedEntry<T::Field>> = Vec::with_capacity(entries.len());
    for e in entries {
        let field = T::parse(e.field).ok_or(BallastError::PatchFieldUnknown)?;
        require!(judged.iter().all(|j| j.field != field), BallastError::PatchFieldRepeated);
        let old = current.get(field);
        next.set(field, &e.value)?;
        let new = next.get(field);
        judged.push(JudgedEntry { field, change: T::classify(field, &old, &new), old, new });
    }
    require!(judged.iter().any(|j| j.change != Change::Unchanged), BallastError::PatchChangesNothing);
    Ok((next, judged))
}

/// The entries that turn `old` into `new`, in field order: what clients send (the CLI's
/// updates, `deploy::apply`).
pub fn diff<T: PatchTarget>(old: &T, new: &T) -> Vec<PatchEntry> {
    T::all()
        .iter()
        .filter_map(|f| {
            let (a, b) = (old.get(*f), new.get(*f));
            (a != b).then(|| PatchEntry::new((*f).into(), b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset() -> AssetConfig {
        AssetConfig {
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 9_000,
            init_liab_weight_bps: 12_000,
            maint_liab_weight_bps: 11_000,
            ..AssetConfig::template()
        }
    }

    #[test]
    fn every_asset_field_round_trips() {
        for f in AssetField::ALL {
            let mut c = asset();
            let v = match f.kind() {
                FieldKind::Bytes32 => [7u8; 32],
                FieldKind::Bool => value_from_u64(1),
                _ => value_from_u64(3),
            };
            set_asset_field(&mut c, *f, &v).unwrap();
            assert_eq!(asset_field(&c, *f), v, "{}", f.label());
            // and only that field changed
            let others = diff(&asset(), &c);
            assert_eq!(others.len(), usize::from(asset_field(&asset(), *f) != v), "{}", f.label());
        }
    }

    #[test]
    fn every_group_field_round_trips() {
        let base = GroupSettings { config: GroupConfig::template(), risk_guardian: Pubkey::default() };
        for f in GroupField::ALL {
            let mut s = base;
            let v = if f.kind() == FieldKind::Bytes32 { [9u8; 32] } else { value_from_u64(5) };
            set_group_field(&mut s, *f, &v).unwrap();
            assert_eq!(group_field(&s, *f), v, "{}", f.label());
            assert_eq!(diff(&base, &s).len(), 1, "{}", f.label());
        }
    }

    #[test]
    fn every_market_field_round_trips() {
        let base = MarketConfig { expiry_ts: 1, contract_size: 1, ..MarketConfig::template() };
        for f in MarketField::ALL {
            let mut c = base;
            let v = value_from_u64(if f.kind() == FieldKind::Bool { 1 } else { 3 });
            set_market_field(&mut c, *f, &v).unwrap();
            assert_eq!(market_field(&c, *f), v, "{}", f.label());
            assert_eq!(diff(&base, &c).len(), 1, "{}", f.label());
            // the series' terms are not fields
            assert_eq!((c.expiry_ts, c.contract_size, c.settlement_window_secs, c.kind), (1, 1, 3_600, 0));
        }
        let mut c = base;
        let two = value_from_u64(2);
        assert_eq!(
            set_market_field(&mut c, MarketField::ReduceOnly, &two).unwrap_err(),
            BallastError::PatchValueOutOfRange.into()
        );
    }

    #[test]
    fn apply_judges_each_entry() {
        let c = asset();
        let entries = [
            PatchEntry::new(AssetField::InitAssetWeightBps as u16, value_from_u64(7_000)),
            PatchEntry::new(AssetField::BorrowCap as u16, value_from_u64(1_000)),
            PatchEntry::new(AssetField::LiquidationFeeBps as u16, value_from_u64(400)),
        ];
        let (next, judged) = apply(&c, &entries).unwrap();
        assert_eq!(next.init_asset_weight_bps, 7_000);
        assert_eq!(next.borrow_cap, 1_000);
        let changes: Vec<Change> = judged.iter().map(|j| j.change).collect();
        assert_eq!(changes, vec![Change::Tightens, Change::Tightens, Change::Loosens]);
        // and the diff back to the start names exactly those three fields
        assert_eq!(diff(&next, &c).len(), 3);
    }

    #[test]
    fn apply_refuses_malformed_patches() {
        let c = asset();
        let e = |f: AssetField, v: u64| PatchEntry::new(f as u16, value_from_u64(v));
        let err = |r: Result<(AssetConfig, Vec<JudgedEntry<AssetField>>)>, want: BallastError| {
            assert_eq!(r.unwrap_err(), want.into());
        };
        err(apply(&c, &[]), BallastError::PatchEmpty);
        err(apply(&c, &[e(AssetField::BorrowCap, 1); 17]), BallastError::PatchTooLong);
        err(apply(&c, &[PatchEntry::new(999, value_from_u64(1))]), BallastError::PatchFieldUnknown);
        err(
            apply(&c, &[e(AssetField::BorrowCap, 1), e(AssetField::BorrowCap, 2)]),
            BallastError::PatchFieldRepeated,
        );
        err(apply(&c, &[e(AssetField::ReduceOnly, 2)]), BallastError::PatchValueOutOfRange);
        err(
            apply(&c, &[e(AssetField::MaxConfBps, u64::from(u32::MAX) + 1)]),
            BallastError::PatchValueOutOfRange,
        );
        err(apply(&c, &[e(AssetField::MaxConfBps, 200)]), BallastError::PatchChangesNothing);
    }
}
