//! Governance rules: which parameter changes tighten and which loosen, how a tightening of
//! maintenance weights glides in, how long a pause lasts and how often it can be renewed, and
//! when a timelocked proposal may run. Pure, so the program enforces them and clients (the CLI,
//! `deploy::apply`) predict them with the same code.
//!
//! A parameter change is a patch: a list of `(field, value)` entries. Each field has a
//! `Direction`; an entry that tightens (less borrowing power, less risk taken on) applies at once
//! when the admin or the guardian sends it; one that loosens, or that moves a field with no safe
//! direction, waits for the group's timelock. Fields whose change would move Maint health at once
//! (other than the maintenance weights, which glide) have no safe direction: users get the
//! timelock as their warning instead of a glide.

use crate::math::{CheckedFixed, MathResult, I80F48};

/// How a field's value relates to risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A lower value takes on less risk (caps, asset weights, oracle limits).
    LowerTightens,
    /// A higher value takes on less risk (liability weights, haircuts, flags being set).
    HigherTightens,
    /// Like `LowerTightens`, but 0 means "off", the loosest setting of all.
    LowerTightensZeroOff,
    /// No direction is safe to take at once (oracles, fees, rate curves, and fields that move
    /// Maint health without a glide): every change waits for the timelock.
    Neither,
}

/// What one entry of a patch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Tightens,
    Loosens,
}

impl Direction {
    /// Classifies `old -> new` for a numeric field.
    pub fn classify(self, old: u64, new: u64) -> Change {
        if old == new {
            return Change::Unchanged;
        }
        let off_is_max = |v: u64| if v == 0 { u64::MAX } else { v };
        let tighter = match self {
            Direction::LowerTightens => new < old,
            Direction::HigherTightens => new > old,
            Direction::LowerTightensZeroOff => off_is_max(new) < off_is_max(old),
            Direction::Neither => false,
        };
        if tighter {
            Change::Tightens
        } else {
            Change::Loosens
        }
    }
}

/// A field value in a patch: 32 bytes, little-endian for numbers (which must fit their field)
/// and raw for keys and feed ids.
pub type FieldValue = [u8; 32];

/// A number as a field value.
pub const fn value_from_u64(v: u64) -> FieldValue {
    let b = v.to_le_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 8 {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// The number in a value, or `None` when it does not fit in `max`.
pub fn value_to_u64(v: &FieldValue, max: u64) -> Option<u64> {
    if v[8..].iter().any(|b| *b != 0) {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&v[..8]);
    let n = u64::from_le_bytes(b);
    (n <= max).then_some(n)
}

/// The kind of value a field holds, which bounds what a patch may write into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    U64,
    U32,
    U8,
    /// 0 or 1.
    Bool,
    /// 32 raw bytes (a pubkey or a feed id).
    Bytes32,
}

impl FieldKind {
    pub const fn max(self) -> u64 {
        match self {
            FieldKind::U64 | FieldKind::Bytes32 => u64::MAX,
            FieldKind::U32 => u32::MAX as u64,
            FieldKind::U8 => u8::MAX as u64,
            FieldKind::Bool => 1,
        }
    }
}

macro_rules! fields {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $variant:ident = $id:literal, $label:literal, $kind:ident, $dir:ident;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum $name {
            $($(#[$fmeta])* $variant = $id,)*
        }

        impl From<$name> for u16 {
            fn from(f: $name) -> u16 {
                f as u16
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn from_u16(id: u16) -> Option<$name> {
                match id {
                    $($id => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The name clients print and parse (the config file's key).
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            pub const fn kind(self) -> FieldKind {
                match self {
                    $($name::$variant => FieldKind::$kind,)*
                }
            }

            pub const fn direction(self) -> Direction {
                match self {
                    $($name::$variant => Direction::$dir,)*
                }
            }
        }
    };
}

fields! {
    /// The fields of an asset's config a patch can change, with the rule of each.
    AssetField {
        DepositCap = 0, "deposit_cap", U64, LowerTightens;
        BorrowCap = 1, "borrow_cap", U64, LowerTightens;
        /// Also bounds the liquidation's oracle: no safe direction.
        MaxStalenessSecs = 2, "max_staleness_secs", U32, Neither;
        MaxConfBps = 3, "max_conf_bps", U32, LowerTightens;
        /// Lower would block liquidations: no safe direction.
        LiquidationMaxConfBps = 4, "liquidation_max_conf_bps", U32, Neither;
        /// Shades prices at every level, Maint included.
        ConfMultiplierBps = 5, "conf_multiplier_bps", U32, Neither;
        MaxEmaDeviationBps = 6, "max_ema_deviation_bps", U32, LowerTightens;
        InitAssetWeightBps = 7, "init_asset_weight_bps", U32, LowerTightens;
        /// Tightening glides in over the asset's glide window.
        MaintAssetWeightBps = 8, "maint_asset_weight_bps", U32, LowerTightens;
        InitLiabWeightBps = 9, "init_liab_weight_bps", U32, HigherTightens;
        /// Tightening glides in over the asset's glide window.
        MaintLiabWeightBps = 10, "maint_liab_weight_bps", U32, HigherTightens;
        LiquidationFeeBps = 11, "liquidation_fee_bps", U32, Neither;
        MaxLiquidationFeeBps = 12, "max_liquidation_fee_bps", U32, Neither;
        ProtocolFeeBps = 13, "protocol_fee_bps", U32, Neither;
        Util0Bps = 14, "util0_bps", U32, Neither;
        Rate0Bps = 15, "rate0_bps", U32, Neither;
        Util1Bps = 16, "util1_bps", U32, Neither;
        Rate1Bps = 17, "rate1_bps", U32, Neither;
        MaxRateBps = 18, "max_rate_bps", U32, Neither;
        /// Scales Init only.
        DepositWeightScaleStart = 19, "deposit_weight_scale_start", U64, LowerTightensZeroOff;
        BorrowWeightScaleStart = 20, "borrow_weight_scale_start", U64, LowerTightensZeroOff;
        /// Moves Maint through z_maint.
        SigmaFloorBps = 21, "sigma_floor_bps", U32, Neither;
        LiquidationHorizonSecs = 22, "liquidation_horizon_secs", U32, Neither;
        VolSampleIntervalSecs = 23, "vol_sample_interval_secs", U32, Neither;
        EwmaLambdaBps = 24, "ewma_lambda_bps", U32, Neither;
        /// Applies at every level.
        SizeImfPpm = 25, "size_imf_ppm", U32, Neither;
        /// Init only; 0 is off.
        ConcentrationThresholdBps = 26, "concentration_threshold_bps", U32, LowerTightensZeroOff;
        ConcentrationHaircutBps = 27, "concentration_haircut_bps", U32, HigherTightens;
        CorrelationGroup = 28, "correlation_group", U8, Neither;
        ReduceOnly = 29, "reduce_only", Bool, HigherTightens;
        /// An indefinite freeze: the admin's alone (the guardian's pauses expire).
        Frozen = 30, "frozen", Bool, HigherTightens;
        MaintWeightGlideSecs = 31, "maint_weight_glide_secs", U32, Neither;
        OracleKind = 32, "oracle_kind", U8, Neither;
        Oracle = 33, "oracle", Bytes32, Neither;
        FeedId = 34, "feed_id", Bytes32, Neither;
        /// The volatility surface (`VOL_SURFACE_FIELD_BASE`): option marks move Maint at once, so
        /// every change waits for the timelock.
        Vol1TenorSecs = 35, "vol1_tenor_secs", U32, Neither;
        Vol1AtmVolBps = 36, "vol1_atm_vol_bps", U32, Neither;
        Vol1PutWingBps = 37, "vol1_put_wing_bps", U32, Neither;
        Vol1CallWingBps = 38, "vol1_call_wing_bps", U32, Neither;
        Vol2TenorSecs = 39, "vol2_tenor_secs", U32, Neither;
        Vol2AtmVolBps = 40, "vol2_atm_vol_bps", U32, Neither;
        Vol2PutWingBps = 41, "vol2_put_wing_bps", U32, Neither;
        Vol2CallWingBps = 42, "vol2_call_wing_bps", U32, Neither;
        Vol3TenorSecs = 43, "vol3_tenor_secs", U32, Neither;
        Vol3AtmVolBps = 44, "vol3_atm_vol_bps", U32, Neither;
        Vol3PutWingBps = 45, "vol3_put_wing_bps", U32, Neither;
        Vol3CallWingBps = 46, "vol3_call_wing_bps", U32, Neither;
        Vol4TenorSecs = 47, "vol4_tenor_secs", U32, Neither;
        Vol4AtmVolBps = 48, "vol4_atm_vol_bps", U32, Neither;
        Vol4PutWingBps = 49, "vol4_put_wing_bps", U32, Neither;
        Vol4CallWingBps = 50, "vol4_call_wing_bps", U32, Neither;
    }
}

/// Volatility-surface fields are `VOL_SURFACE_FIELD_BASE + 4 * bucket + k`, k in 0..4 (tenor,
/// ATM, put wing, call wing).
pub const VOL_SURFACE_FIELD_BASE: u16 = 35;

impl AssetField {
    /// Whether a tightening of this field takes effect gradually (the maintenance weights).
    pub const fn glides(self) -> bool {
        matches!(self, AssetField::MaintAssetWeightBps | AssetField::MaintLiabWeightBps)
    }

    /// For a volatility-surface field: its bucket and which of the four values.
    pub fn vol_surface_slot(self) -> Option<(usize, usize)> {
        let id = self as u16;
        (id >= VOL_SURFACE_FIELD_BASE).then(|| {
            let k = usize::from(id - VOL_SURFACE_FIELD_BASE);
            (k / 4, k % 4)
        })
    }

    /// Whether the guardian may tighten this field. Everything that tightens, except the
    /// indefinite freeze: a guardian's halt must expire (`PauseState`).
    pub const fn guardian_may_tighten(self) -> bool {
        !matches!(self, AssetField::Frozen)
    }
}

/// Correlation groups' weights are patched as `CORRELATION_FIELD_BASE + 4 * (group - 1) + k`,
/// k in 0..4 (init asset, maint asset, init liab, maint liab).
pub const CORRELATION_FIELD_BASE: u16 = 16;

fields! {
    /// The fields of a group's config a patch can change. Every one moves Maint, the
    /// liquidation's economics or governance itself, except z_init: all but z_init wait for the
    /// timelock in both directions.
    GroupField {
        LiquidationBonusRampSecs = 0, "liquidation_bonus_ramp_secs", U32, Neither;
        InsuranceShareBps = 1, "insurance_share_bps", U32, Neither;
        DustValue = 2, "dust_value", U64, Neither;
        ZInitBps = 3, "z_init_bps", U32, HigherTightens;
        ZMaintBps = 4, "z_maint_bps", U32, Neither;
        TimelockDelaySecs = 5, "timelock_delay_secs", U32, Neither;
        /// Changing the guardian is timelocked: a captured admin cannot first remove the one
        /// role that can cancel its proposals.
        RiskGuardian = 6, "risk_guardian", Bytes32, Neither;
        Corr1InitAsset = 16, "corr1_init_asset_weight_bps", U32, Neither;
        Corr1MaintAsset = 17, "corr1_maint_asset_weight_bps", U32, Neither;
        Corr1InitLiab = 18, "corr1_init_liab_weight_bps", U32, Neither;
        Corr1MaintLiab = 19, "corr1_maint_liab_weight_bps", U32, Neither;
        Corr2InitAsset = 20, "corr2_init_asset_weight_bps", U32, Neither;
        Corr2MaintAsset = 21, "corr2_maint_asset_weight_bps", U32, Neither;
        Corr2InitLiab = 22, "corr2_init_liab_weight_bps", U32, Neither;
        Corr2MaintLiab = 23, "corr2_maint_liab_weight_bps", U32, Neither;
        Corr3InitAsset = 24, "corr3_init_asset_weight_bps", U32, Neither;
        Corr3MaintAsset = 25, "corr3_maint_asset_weight_bps", U32, Neither;
        Corr3InitLiab = 26, "corr3_init_liab_weight_bps", U32, Neither;
        Corr3MaintLiab = 27, "corr3_maint_liab_weight_bps", U32, Neither;
        Corr4InitAsset = 28, "corr4_init_asset_weight_bps", U32, Neither;
        Corr4MaintAsset = 29, "corr4_maint_asset_weight_bps", U32, Neither;
        Corr4InitLiab = 30, "corr4_init_liab_weight_bps", U32, Neither;
        Corr4MaintLiab = 31, "corr4_maint_liab_weight_bps", U32, Neither;
        Corr5InitAsset = 32, "corr5_init_asset_weight_bps", U32, Neither;
        Corr5MaintAsset = 33, "corr5_maint_asset_weight_bps", U32, Neither;
        Corr5InitLiab = 34, "corr5_init_liab_weight_bps", U32, Neither;
        Corr5MaintLiab = 35, "corr5_maint_liab_weight_bps", U32, Neither;
        Corr6InitAsset = 36, "corr6_init_asset_weight_bps", U32, Neither;
        Corr6MaintAsset = 37, "corr6_maint_asset_weight_bps", U32, Neither;
        Corr6InitLiab = 38, "corr6_init_liab_weight_bps", U32, Neither;
        Corr6MaintLiab = 39, "corr6_maint_liab_weight_bps", U32, Neither;
        Corr7InitAsset = 40, "corr7_init_asset_weight_bps", U32, Neither;
        Corr7MaintAsset = 41, "corr7_maint_asset_weight_bps", U32, Neither;
        Corr7InitLiab = 42, "corr7_init_liab_weight_bps", U32, Neither;
        Corr7MaintLiab = 43, "corr7_maint_liab_weight_bps", U32, Neither;
        Corr8InitAsset = 44, "corr8_init_asset_weight_bps", U32, Neither;
        Corr8MaintAsset = 45, "corr8_maint_asset_weight_bps", U32, Neither;
        Corr8InitLiab = 46, "corr8_init_liab_weight_bps", U32, Neither;
        Corr8MaintLiab = 47, "corr8_maint_liab_weight_bps", U32, Neither;
    }
}

impl GroupField {
    /// For a correlation weight: its group's index (0-based) and which of the four weights.
    pub fn correlation_slot(self) -> Option<(usize, usize)> {
        let id = self as u16;
        (id >= CORRELATION_FIELD_BASE).then(|| {
            let k = usize::from(id - CORRELATION_FIELD_BASE);
            (k / 4, k % 4)
        })
    }
}

fields! {
    /// The fields of a market's config a patch can change. The series' terms (kind, expiry,
    /// contract size, settlement window) are what its holders traded and cannot change. Every
    /// field that moves Maint has no safe direction: without a glide (as an asset's maintenance
    /// weights have), tightening it could make accounts liquidatable at once, so it waits for the
    /// timelock as the group's z_maint does.
    MarketField {
        OpenInterestCap = 0, "open_interest_cap", U64, LowerTightens;
        PriceBandBps = 1, "price_band_bps", U32, LowerTightens;
        /// Scales the range at Init and Maint.
        ScanRangeMultiplierBps = 2, "scan_range_multiplier_bps", U32, Neither;
        MinScanRangeInitBps = 3, "min_scan_range_init_bps", U32, HigherTightens;
        MinScanRangeMaintBps = 4, "min_scan_range_maint_bps", U32, Neither;
        ExtremeMoveMultipleBps = 5, "extreme_move_multiple_bps", U32, Neither;
        ExtremeFractionBps = 6, "extreme_fraction_bps", U32, Neither;
        PnlWeightInitBps = 7, "pnl_weight_init_bps", U32, LowerTightens;
        PnlWeightMaintBps = 8, "pnl_weight_maint_bps", U32, Neither;
        ReduceOnly = 9, "reduce_only", Bool, HigherTightens;
        /// Options: move the scan's vol scenarios and the minimum, so Maint.
        VolShockUpBps = 10, "vol_shock_up_bps", U32, Neither;
        VolShockDownBps = 11, "vol_shock_down_bps", U32, Neither;
        ShortOptionMinimumBps = 12, "short_option_minimum_bps", U32, Neither;
        /// Fresher arrays ask more of cranks, never of accounts' health.
        RiskArrayMaxAgeSecs = 13, "risk_array_max_age_secs", U32, LowerTightens;
        RiskArrayMaxMoveBps = 14, "risk_array_max_move_bps", U32, LowerTightens;
    }
}

/// Who sends a patch, which decides what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Guardian,
}

/// Why a patch entry cannot be applied at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchRefusal {
    /// It loosens (or moves a field with no safe direction): it must be proposed and wait for
    /// the timelock; the guardian cannot change it at all.
    NeedsTimelock,
    /// The guardian tried a tightening reserved to the admin (the indefinite freeze).
    AdminOnly,
}

/// Whether `role` may apply an entry with `change` to a field at once, given the group's
/// timelock delay. A delay of zero means the group has no timelock (a development group): the
/// admin's loosenings apply at once too; the guardian's never do.
pub fn may_apply_now(
    role: Role,
    change: Change,
    guardian_may_tighten: bool,
    timelock_delay_secs: u32,
) -> Result<(), PatchRefusal> {
    match (role, change) {
        (_, Change::Unchanged) => Ok(()),
        (Role::Admin, Change::Tightens) => Ok(()),
        (Role::Admin, Change::Loosens) if timelock_delay_secs == 0 => Ok(()),
        (Role::Admin, Change::Loosens) => Err(PatchRefusal::NeedsTimelock),
        (Role::Guardian, Change::Tightens) if guardian_may_tighten => Ok(()),
        (Role::Guardian, Change::Tightens) => Err(PatchRefusal::AdminOnly),
        (Role::Guardian, Change::Loosens) => Err(PatchRefusal::NeedsTimelock),
    }
}

// ---- glide ---------------------------------------------------------------------------------

/// A weight gliding from `from` to `to` over `[start_ts, start_ts + duration_secs]`, at `now`:
/// linear, and rounded toward `to` (a glide only ever tightens, so that is against the account).
pub fn glide(from: I80F48, to: I80F48, start_ts: i64, duration_secs: u32, now: i64) -> MathResult<I80F48> {
    if duration_secs == 0 || from == to {
        return Ok(to);
    }
    let elapsed = now.saturating_sub(start_ts);
    if elapsed <= 0 {
        return Ok(from);
    }
    if elapsed >= i64::from(duration_secs) {
        return Ok(to);
    }
    let span = if to > from { to.sub_c(from)? } else { from.sub_c(to)? };
    let moved = span.mul_c(I80F48::from_num(elapsed))?;
    let duration = I80F48::from_num(duration_secs);
    let mut step = moved.div_c(duration)?;
    // round the step up: further toward `to`
    if step.mul_c(duration)? < moved {
        step = step.add_c(I80F48::DELTA)?;
    }
    let step = step.min(span);
    if to > from {
        from.add_c(step)
    } else {
        from.sub_c(step)
    }
}

/// A maintenance weight change judged against the weight **in force** (which differs from the
/// configured one during a glide): no looser than what applies now is a tightening. So the admin
/// (or the guardian) can stop a glide at the weight it has reached at once, while moving back
/// above it is a loosening. With no glide in progress this is `Direction::classify`.
pub fn classify_maint_weight(lower_tightens: bool, old_bps: u64, new_bps: u64, in_force: I80F48) -> Change {
    if old_bps == new_bps {
        return Change::Unchanged;
    }
    // the weight exactly as the Asset caches it (`from_bps`)
    let new = crate::math::from_bps(u32::try_from(new_bps).unwrap_or(u32::MAX));
    let no_looser = if lower_tightens { new <= in_force } else { new >= in_force };
    if no_looser {
        Change::Tightens
    } else {
        Change::Loosens
    }
}

/// The guardian's maintenance tightenings glide over at least this long, whatever the asset's
/// window: a guardian cannot make accounts liquidatable at once.
pub const MIN_GUARDIAN_GLIDE_SECS: u32 = 3_600;

/// What a config change does to a maintenance weight's glide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlideUpdate {
    /// The target did not change: a glide in progress carries on.
    Keep,
    /// The new target is tighter than the weight in force: glide to it from `from` (the weight
    /// in force now, so a second tightening mid-glide never jumps).
    Start { from: I80F48 },
    /// The new target is no tighter than the weight in force (a loosening, or no window): it
    /// applies at once.
    Stop,
}

/// The glide rule for one maintenance weight. `lower_tightens`: an asset weight (true) or a
/// liability weight (false).
pub fn glide_update(
    old_target: I80F48,
    new_target: I80F48,
    in_force: I80F48,
    lower_tightens: bool,
    window_secs: u32,
) -> GlideUpdate {
    if new_target == old_target {
        return GlideUpdate::Keep;
    }
    let tighter = if lower_tightens { new_target < in_force } else { new_target > in_force };
    if tighter && window_secs > 0 {
        GlideUpdate::Start { from: in_force }
    } else {
        GlideUpdate::Stop
    }
}

// ---- pauses --------------------------------------------------------------------------------

/// Deposits into the asset (per asset only: a group-wide deposit pause would block every cure).
pub const PAUSE_DEPOSIT: u8 = 1 << 0;
pub const PAUSE_WITHDRAW: u8 = 1 << 1;
pub const PAUSE_BORROW: u8 = 1 << 2;
/// The risk pause: the actions that take on risk. Deposits, repays and liquidations stay open
/// so that accounts can be cured and risk can come down.
pub const PAUSE_RISK: u8 = PAUSE_WITHDRAW | PAUSE_BORROW;
pub const PAUSE_ACTIONS_PER_ASSET: u8 = PAUSE_DEPOSIT | PAUSE_RISK;
pub const PAUSE_ACTIONS_GROUP: u8 = PAUSE_RISK;

/// A pause lasts this long unless renewed (marginfi's panic pause).
pub const PAUSE_DURATION_SECS: i64 = 30 * 60;
/// At most this many pauses in a row (the first and its renewals while active).
pub const MAX_CONSECUTIVE_PAUSES: u8 = 2;
/// At most this many pauses (first ones and renewals) in any day-long window.
pub const MAX_PAUSES_PER_DAY: u8 = 3;
pub const PAUSE_DAY_SECS: i64 = 86_400;

/// An expiring pause of some actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PauseState {
    /// `PAUSE_*` bits paused until `expires_ts`.
    pub actions: u8,
    /// Pauses in the current run (1 = the first, 2 = renewed once).
    pub consecutive: u8,
    /// Pauses since `day_start_ts`.
    pub day_count: u8,
    /// The pause stops blocking at this time, whether or not anyone clears it.
    pub expires_ts: i64,
    /// Start of the day-long window the daily limit counts in.
    pub day_start_ts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseError {
    /// No action, or one this scope cannot pause.
    InvalidActions,
    TooManyConsecutive,
    TooManyToday,
    /// Clearing a pause that has not expired (only the admin may lift it early).
    NotExpired,
    /// Clearing or lifting when nothing is paused.
    NotPaused,
}

impl PauseState {
    pub fn is_active(&self, now: i64) -> bool {
        self.actions != 0 && now < self.expires_ts
    }

    /// Whether `action` (one `PAUSE_*` bit) is paused at `now`.
    pub fn blocks(&self, action: u8, now: i64) -> bool {
        self.is_active(now) && self.actions & action != 0
    }

    /// Pauses `actions` for `PAUSE_DURATION_SECS` from `now`; while a pause is active this is a
    /// renewal (its actions are kept and widened). `limited` (the guardian): bounded in a row and
    /// per day-long window (which starts with the first pause once the previous window is over).
    /// The admin's pauses are neither bounded nor counted, so the admin cannot use up the
    /// guardian's allowance (it can freeze an asset outright anyway).
    pub fn pause(&mut self, actions: u8, allowed: u8, now: i64, limited: bool) -> Result<(), PauseError> {
        if actions == 0 || actions & !allowed != 0 {
            return Err(PauseError::InvalidActions);
        }
        let mut next = *self;
        if limited {
            if now.saturating_sub(next.day_start_ts) >= PAUSE_DAY_SECS {
                next.day_start_ts = now;
                next.day_count = 0;
            }
            if next.day_count >= MAX_PAUSES_PER_DAY {
                return Err(PauseError::TooManyToday);
            }
        }
        if next.is_active(now) {
            if limited && next.consecutive >= MAX_CONSECUTIVE_PAUSES {
                return Err(PauseError::TooManyConsecutive);
            }
            next.consecutive = next.consecutive.saturating_add(1);
            next.actions |= actions;
        } else {
            next.consecutive = 1;
            next.actions = actions;
        }
        if limited {
            next.day_count += 1;
        }
        next.expires_ts = now.saturating_add(PAUSE_DURATION_SECS);
        *self = next;
        Ok(())
    }

    /// Anyone: forgets a pause that has expired. The daily count stays.
    pub fn clear_expired(&mut self, now: i64) -> Result<(), PauseError> {
        if self.actions == 0 {
            return Err(PauseError::NotPaused);
        }
        if self.is_active(now) {
            return Err(PauseError::NotExpired);
        }
        self.lift();
        Ok(())
    }

    /// The admin: lifts the pause at once. The daily count stays.
    pub fn unpause(&mut self) -> Result<(), PauseError> {
        if self.actions == 0 {
            return Err(PauseError::NotPaused);
        }
        self.lift();
        Ok(())
    }

    fn lift(&mut self) {
        self.actions = 0;
        self.consecutive = 0;
        self.expires_ts = 0;
    }
}

// ---- timelock ------------------------------------------------------------------------------

/// Longest timelock a group may set (Squads v4 allows up to three months).
pub const MAX_TIMELOCK_DELAY_SECS: u32 = 90 * 86_400;
/// A proposal not executed within this long after it became executable lapses (Compound's
/// grace period), so an old, forgotten change cannot be sprung later.
pub const PROPOSAL_GRACE_SECS: i64 = 14 * 86_400;
/// Longest glide window an asset may set.
pub const MAX_GLIDE_SECS: u32 = 30 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelockError {
    TooEarly,
    Lapsed,
}

/// Whether a proposal that becomes executable at `eta` may run at `now`.
pub fn executable(eta: i64, now: i64) -> Result<(), TimelockError> {
    if now < eta {
        return Err(TimelockError::TooEarly);
    }
    if now > eta.saturating_add(PROPOSAL_GRACE_SECS) {
        return Err(TimelockError::Lapsed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::from_bps;

    #[test]
    fn directions_classify_each_way() {
        use Change::*;
        assert_eq!(Direction::LowerTightens.classify(100, 90), Tightens);
        assert_eq!(Direction::LowerTightens.classify(90, 100), Loosens);
        assert_eq!(Direction::HigherTightens.classify(90, 100), Tightens);
        assert_eq!(Direction::HigherTightens.classify(100, 90), Loosens);
        assert_eq!(Direction::Neither.classify(1, 2), Loosens);
        assert_eq!(Direction::Neither.classify(2, 1), Loosens);
        assert_eq!(Direction::Neither.classify(2, 2), Unchanged);
        // 0 = off is the loosest: turning the factor on tightens, off loosens
        assert_eq!(Direction::LowerTightensZeroOff.classify(0, 1_000_000), Tightens);
        assert_eq!(Direction::LowerTightensZeroOff.classify(1_000_000, 0), Loosens);
        assert_eq!(Direction::LowerTightensZeroOff.classify(2_000, 1_000), Tightens);
    }

    #[test]
    fn field_ids_round_trip_and_labels_are_unique() {
        for f in AssetField::ALL {
            assert_eq!(AssetField::from_u16(*f as u16), Some(*f));
            assert_eq!(AssetField::ALL.iter().filter(|g| g.label() == f.label()).count(), 1);
        }
        for f in GroupField::ALL {
            assert_eq!(GroupField::from_u16(*f as u16), Some(*f));
            assert_eq!(GroupField::ALL.iter().filter(|g| g.label() == f.label()).count(), 1);
        }
        for f in MarketField::ALL {
            assert_eq!(MarketField::from_u16(*f as u16), Some(*f));
            assert_eq!(MarketField::ALL.iter().filter(|g| g.label() == f.label()).count(), 1);
        }
        // what moves Maint cannot change at once, in either direction
        for f in [
            MarketField::ScanRangeMultiplierBps,
            MarketField::MinScanRangeMaintBps,
            MarketField::ExtremeMoveMultipleBps,
            MarketField::ExtremeFractionBps,
            MarketField::PnlWeightMaintBps,
        ] {
            assert_eq!(f.direction().classify(1, 2), Change::Loosens, "{}", f.label());
            assert_eq!(f.direction().classify(2, 1), Change::Loosens, "{}", f.label());
        }
        assert_eq!(MarketField::OpenInterestCap.direction().classify(10, 5), Change::Tightens);
        assert_eq!(MarketField::ReduceOnly.direction().classify(0, 1), Change::Tightens);
        assert_eq!(GroupField::Corr3MaintLiab.correlation_slot(), Some((2, 3)));
        assert_eq!(GroupField::ZInitBps.correlation_slot(), None);
        assert_eq!(AssetField::from_u16(99), None);
    }

    #[test]
    fn values_are_bounded_by_their_field() {
        assert_eq!(value_to_u64(&value_from_u64(7), 1), None);
        assert_eq!(value_to_u64(&value_from_u64(1), 1), Some(1));
        let mut v = value_from_u64(1);
        v[31] = 1;
        assert_eq!(value_to_u64(&v, u64::MAX), None);
        assert_eq!(value_to_u64(&value_from_u64(u64::from(u32::MAX) + 1), FieldKind::U32.max()), None);
    }

    #[test]
    fn roles_apply_what_they_may() {
        use Change::*;
        assert_eq!(may_apply_now(Role::Guardian, Tightens, true, 86_400), Ok(()));
        assert_eq!(may_apply_now(Role::Guardian, Tightens, false, 86_400), Err(PatchRefusal::AdminOnly));
        assert_eq!(may_apply_now(Role::Guardian, Loosens, true, 0), Err(PatchRefusal::NeedsTimelock));
        assert_eq!(may_apply_now(Role::Admin, Loosens, true, 86_400), Err(PatchRefusal::NeedsTimelock));
        assert_eq!(may_apply_now(Role::Admin, Loosens, true, 0), Ok(()));
        assert_eq!(may_apply_now(Role::Admin, Tightens, false, 86_400), Ok(()));
    }

    #[test]
    fn glide_is_linear_and_rounds_toward_the_target() {
        // maint asset weight 0.90 -> 0.80 over 1,000 s starting at t = 10_000
        let (from, to) = (from_bps(9_000), from_bps(8_000));
        assert_eq!(glide(from, to, 10_000, 1_000, 9_000).unwrap(), from);
        assert_eq!(glide(from, to, 10_000, 1_000, 10_000).unwrap(), from);
        // half-way and a quarter of the way, to a few ulps of the bps figures
        let near = |a: I80F48, b: I80F48| (a - b).abs() <= I80F48::DELTA * 8;
        assert!(near(glide(from, to, 10_000, 1_000, 10_500).unwrap(), from_bps(8_500)));
        assert!(near(glide(from, to, 10_000, 1_000, 10_250).unwrap(), from_bps(8_750)));
        assert_eq!(glide(from, to, 10_000, 1_000, 11_000).unwrap(), to);
        assert_eq!(glide(from, to, 10_000, 1_000, 99_999).unwrap(), to);
        // a liability weight gliding up
        assert!(near(glide(from_bps(11_000), from_bps(12_000), 0, 1_000, 100).unwrap(), from_bps(11_100)));
        // no window: at once
        assert_eq!(glide(from, to, 10_000, 0, 10_000).unwrap(), to);
        // a third of the way: 0.9 - 0.1/3, rounded down (toward the target)
        let third = glide(from, to, 0, 3, 1).unwrap();
        let exact_down = from - (from - to) / I80F48::from_num(3);
        assert!(third <= exact_down && exact_down - third <= I80F48::DELTA);
        // ... and a rising one rounded up
        let third_up = glide(to, from, 0, 3, 1).unwrap();
        assert!(third_up >= to + (from - to) / I80F48::from_num(3));
        // never overshoots, at every second
        for t in 0..=1_000 {
            let w = glide(from, to, 0, 1_000, t).unwrap();
            assert!(w <= from && w >= to);
        }
    }

    #[test]
    fn maint_weights_are_judged_against_the_weight_in_force() {
        // gliding 0.90 -> 0.55, now at 0.725: stopping at 0.725 or above 0.55 but below 0.725
        // tightens against what is in force; back to 0.80 loosens
        let in_force = from_bps(7_250);
        assert_eq!(classify_maint_weight(true, 5_500, 7_250, in_force), Change::Tightens);
        assert_eq!(classify_maint_weight(true, 5_500, 6_000, in_force), Change::Tightens);
        assert_eq!(classify_maint_weight(true, 5_500, 8_000, in_force), Change::Loosens);
        assert_eq!(classify_maint_weight(true, 5_500, 5_500, in_force), Change::Unchanged);
        // liability weights the other way
        assert_eq!(classify_maint_weight(false, 12_000, 11_500, from_bps(11_500)), Change::Tightens);
        assert_eq!(classify_maint_weight(false, 12_000, 11_000, from_bps(11_500)), Change::Loosens);
    }

    #[test]
    fn glide_updates() {
        let (w9, w8, w85) = (from_bps(9_000), from_bps(8_000), from_bps(8_500));
        assert_eq!(glide_update(w8, w8, w85, true, 100), GlideUpdate::Keep);
        assert_eq!(glide_update(w9, w8, w9, true, 100), GlideUpdate::Start { from: w9 });
        assert_eq!(glide_update(w9, w8, w9, true, 0), GlideUpdate::Stop);
        // mid-glide at 0.85 toward 0.80, retargeted at 0.70: from where it is
        assert_eq!(glide_update(w8, from_bps(7_000), w85, true, 100), GlideUpdate::Start { from: w85 });
        // loosened back to 0.90: at once
        assert_eq!(glide_update(w8, w9, w85, true, 100), GlideUpdate::Stop);
        // liability weights tighten upward
        assert_eq!(
            glide_update(from_bps(11_000), from_bps(12_000), from_bps(11_000), false, 100),
            GlideUpdate::Start { from: from_bps(11_000) }
        );
    }

    #[test]
    fn pauses_expire_renew_twice_in_a_row_and_three_times_a_day() {
        let mut p = PauseState::default();
        let t0 = 1_000_000;
        assert_eq!(p.pause(0, PAUSE_ACTIONS_GROUP, t0, true), Err(PauseError::InvalidActions));
        assert_eq!(p.pause(PAUSE_DEPOSIT, PAUSE_ACTIONS_GROUP, t0, true), Err(PauseError::InvalidActions));
        p.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, t0, true).unwrap();
        assert!(p.blocks(PAUSE_BORROW, t0 + PAUSE_DURATION_SECS - 1));
        assert!(!p.blocks(PAUSE_WITHDRAW, t0));
        assert!(!p.blocks(PAUSE_BORROW, t0 + PAUSE_DURATION_SECS));
        assert_eq!(p.clear_expired(t0 + 10), Err(PauseError::NotExpired));
        // renewal while active widens and extends
        p.pause(PAUSE_WITHDRAW, PAUSE_ACTIONS_GROUP, t0 + 1_000, true).unwrap();
        assert_eq!(p.actions, PAUSE_RISK);
        assert_eq!(p.expires_ts, t0 + 1_000 + PAUSE_DURATION_SECS);
        assert_eq!(
            p.pause(PAUSE_WITHDRAW, PAUSE_ACTIONS_GROUP, t0 + 2_000, true),
            Err(PauseError::TooManyConsecutive)
        );
        // expired: anyone clears; a new run starts, the third of the day
        let later = t0 + 1_000 + PAUSE_DURATION_SECS;
        p.clear_expired(later).unwrap();
        assert_eq!(p.clear_expired(later), Err(PauseError::NotPaused));
        p.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, later, true).unwrap();
        assert_eq!(p.day_count, 3);
        p.unpause().unwrap();
        assert_eq!(
            p.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, later + 10, true),
            Err(PauseError::TooManyToday)
        );
        // the admin is neither bounded nor counted
        let mut a = p;
        a.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, later + 20, false).unwrap();
        a.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, later + 30, false).unwrap();
        a.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, later + 40, false).unwrap();
        assert_eq!((a.day_count, a.consecutive), (3, 3));
        // the next day's window
        p.pause(PAUSE_BORROW, PAUSE_ACTIONS_GROUP, t0 + PAUSE_DAY_SECS, true).unwrap();
        assert_eq!(p.day_count, 1);
    }

    #[test]
    fn timelock_window() {
        assert_eq!(executable(100, 99), Err(TimelockError::TooEarly));
        assert_eq!(executable(100, 100), Ok(()));
        assert_eq!(executable(100, 100 + PROPOSAL_GRACE_SECS), Ok(()));
        assert_eq!(executable(100, 101 + PROPOSAL_GRACE_SECS), Err(TimelockError::Lapsed));
    }
}
