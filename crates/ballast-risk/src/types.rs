use crate::math::{MathError, I80F48};

pub use crate::constants::{MAX_CORRELATION_GROUPS, QUOTE_DECIMALS};

/// The three health levels. Init gates risk-increasing actions, Maint triggers liquidation, and
/// LiquidationEnd is the level a liquidation restores (and no further). For every account
/// `Init <= LiquidationEnd <= Maint` because each position's weight and price are ordered so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthType {
    Init,
    LiquidationEnd,
    Maint,
}

impl HealthType {
    pub const ALL: [HealthType; 3] = [HealthType::Init, HealthType::LiquidationEnd, HealthType::Maint];
}

/// Governance-set base weights of one asset (factor 1 of the model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssetWeights {
    pub init_asset: I80F48,
    pub maint_asset: I80F48,
    pub init_liab: I80F48,
    pub maint_liab: I80F48,
}

impl AssetWeights {
    /// Collateral weight at a level. LiquidationEnd sits halfway between Init and Maint, so a
    /// liquidation leaves a buffer above Maint without restoring the full Init requirement.
    pub fn asset_weight(&self, level: HealthType) -> I80F48 {
        match level {
            HealthType::Init => self.init_asset,
            HealthType::Maint => self.maint_asset,
            HealthType::LiquidationEnd => midpoint(self.init_asset, self.maint_asset),
        }
    }

    /// Liability weight at a level (see `asset_weight`).
    pub fn liab_weight(&self, level: HealthType) -> I80F48 {
        match level {
            HealthType::Init => self.init_liab,
            HealthType::Maint => self.maint_liab,
            HealthType::LiquidationEnd => midpoint(self.init_liab, self.maint_liab),
        }
    }
}

/// Midpoint of two weights in [0, 10]: cannot overflow; rounds down, which for asset weights is
/// against the account, and for liability weights the midpoint is still >= maint. A halving of
/// the bits (toward zero, the same bits as `(a + b) / 2` in `fixed`): an I80F48 division is a
/// long division on SBF, about 1,400 CU, and health takes a midpoint per position at
/// LiquidationEnd.
fn midpoint(a: I80F48, b: I80F48) -> I80F48 {
    I80F48::from_bits((a.to_bits() + b.to_bits()) / 2)
}

/// Oracle prices of one asset, per native token unit, in quote-native units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OraclePrices {
    /// Rounded down.
    pub spot: I80F48,
    /// Rounded down.
    pub ema: I80F48,
    /// Rounded up (a wider band is the conservative side for both collateral and debt).
    pub conf: I80F48,
    /// What rounding spot or ema down took off (zero, or one ulp when the conversion to native
    /// units was inexact): liability prices add it back, so a debt is valued at its price
    /// rounded up.
    pub round_up: I80F48,
}

/// Per-asset risk factors beyond the base weights (factors 2 to 6 of the model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskFactors {
    /// sigma * sqrt(liquidation horizon in years): the move the volatility factor guards
    /// against, before the level's z multiplier. Zero switches the factor off.
    pub horizon_vol: I80F48,
    /// Drift's IMF factor: asset weight <= 1.1 / (1 + imf * sqrt(tokens)), liability weight
    /// >= 0.8 * base + imf * sqrt(tokens). Zero switches the factor off.
    pub imf: I80F48,
    /// Native units per whole token (10^decimals), so sizes are measured in tokens as Drift does.
    pub token_unit: I80F48,
    /// Init asset weight multiplier from the asset's total deposits (Mango), in (0, 1].
    pub deposit_scale: I80F48,
    /// Init liability weight multiplier from the asset's total borrows, >= 1.
    pub borrow_scale: I80F48,
    /// Share of the account's collateral above which this asset's value takes the
    /// concentration haircut (Init only); 1 or more switches the factor off.
    pub concentration_threshold: I80F48,
    /// Extra haircut on the concentrated excess.
    pub concentration_haircut: I80F48,
    /// Correlation group, 1..=MAX_CORRELATION_GROUPS; 0 for none.
    pub correlation_group: u8,
}

impl RiskFactors {
    /// Every factor off: health is the base-weight model.
    pub const NONE: RiskFactors = RiskFactors {
        horizon_vol: I80F48::ZERO,
        imf: I80F48::ZERO,
        token_unit: I80F48::ONE,
        deposit_scale: I80F48::ONE,
        borrow_scale: I80F48::ONE,
        concentration_threshold: I80F48::ONE,
        concentration_haircut: I80F48::ZERO,
        correlation_group: 0,
    };
}

/// Weights that the matched part of a correlation group's collateral and liabilities uses
/// (for example SOL and its liquid-staking tokens, or USD stablecoins).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelationWeights {
    pub weights: AssetWeights,
}

/// Account-independent settings of the engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthParams {
    /// Volatility multipliers (standard deviations) for Init and Maint; LiquidationEnd uses
    /// their midpoint.
    pub z_init: I80F48,
    pub z_maint: I80F48,
    /// Group g (1-based) uses entry g-1; `None` for an unused group.
    pub correlation: [Option<CorrelationWeights>; MAX_CORRELATION_GROUPS],
}

impl HealthParams {
    /// No volatility factor and no correlation groups.
    pub const BASE: HealthParams = HealthParams {
        z_init: I80F48::ZERO,
        z_maint: I80F48::ZERO,
        correlation: [None; MAX_CORRELATION_GROUPS],
    };

    pub fn z(&self, level: HealthType) -> I80F48 {
        match level {
            HealthType::Init => self.z_init,
            HealthType::Maint => self.z_maint,
            HealthType::LiquidationEnd => midpoint(self.z_init, self.z_maint),
        }
    }

    pub fn correlation(&self, group: u8) -> Option<&CorrelationWeights> {
        if group == 0 {
            return None;
        }
        self.correlation.get(usize::from(group) - 1).and_then(|c| c.as_ref())
    }
}

/// What a position is, across kinds: the key an account's slots, the engine's inputs and the
/// breakdown share. Token positions are the only kind today; dated futures and options will be
/// keyed by their market, with inputs of their own (the scan per underlying), beside
/// `PositionInput`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PositionKey {
    Token { asset_index: u16 },
}

/// Everything the engine needs about one token position (the token kind's input).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionInput {
    pub asset_index: u16,
    /// Native token units; positive collateral, negative liability.
    pub balance: I80F48,
    pub weights: AssetWeights,
    /// k: how many confidence intervals to shade the price by.
    pub conf_multiplier: I80F48,
    pub prices: OraclePrices,
    /// Whether the oracle passed the checks the current action requires. An unusable oracle
    /// values collateral at zero and makes a liability an error.
    pub oracle_usable: bool,
    pub factors: RiskFactors,
}

impl PositionInput {
    pub fn key(&self) -> PositionKey {
        PositionKey::Token { asset_index: self.asset_index }
    }
}

/// The factors that can move a position's contribution away from its value at the oracle spot
/// price. Each appears in the breakdown with the value it removed (negative: value added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Factor {
    /// Confidence band (k * conf) and, for Init, the more conservative of spot and EMA.
    OracleUncertainty = 0,
    /// The oracle failed its checks: collateral counts for nothing.
    OracleUnavailable = 1,
    /// Governance base weight.
    BaseWeight = 2,
    /// Weight capped by `1 -/+ z * sigma * sqrt(horizon)`.
    Volatility = 3,
    /// Drift-style size discount / premium.
    Size = 4,
    /// Init weights scaled by the asset's total deposits or borrows.
    TotalScaling = 5,
    /// Init haircut on the part of one asset above its share of the account's collateral.
    Concentration = 6,
    /// Credit (negative cut) from offsetting collateral and liabilities in a correlation group.
    Correlation = 7,
}

impl Factor {
    pub const COUNT: usize = 8;
    pub const ALL: [Factor; Factor::COUNT] = [
        Factor::OracleUncertainty,
        Factor::OracleUnavailable,
        Factor::BaseWeight,
        Factor::Volatility,
        Factor::Size,
        Factor::TotalScaling,
        Factor::Concentration,
        Factor::Correlation,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskError {
    Math(MathError),
    /// A liability's oracle is unusable for this action, so its size cannot be bounded.
    LiabilityOracleUnusable {
        asset_index: u16,
    },
    /// A derivative refers to an underlying that was not priced.
    MissingUnderlying {
        asset_index: u16,
    },
}

impl From<MathError> for RiskError {
    fn from(e: MathError) -> Self {
        RiskError::Math(e)
    }
}

pub type RiskResult<T> = Result<T, RiskError>;
