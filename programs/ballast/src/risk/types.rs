use crate::math::{MathError, I80F48};

/// Decimals of the quote unit that values are expressed in (micro-USD).
pub const QUOTE_DECIMALS: i32 = 6;

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
/// against the account, and for liability weights the midpoint is still >= maint.
fn midpoint(a: I80F48, b: I80F48) -> I80F48 {
    (a + b) / I80F48::from_num(2)
}

/// Oracle prices of one asset, per native token unit, in quote-native units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OraclePrices {
    pub spot: I80F48,
    pub ema: I80F48,
    pub conf: I80F48,
}

/// Everything the engine needs about one token position.
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
}

/// The factors that can move a position's contribution away from its value at the oracle spot
/// price. Each appears in the breakdown with the value it removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Factor {
    /// Confidence band (k * conf) and, for Init, the more conservative of spot and EMA.
    OracleUncertainty = 0,
    /// The oracle failed its checks: collateral counts for nothing.
    OracleUnavailable = 1,
    /// Governance base weight.
    BaseWeight = 2,
}

impl Factor {
    pub const COUNT: usize = 3;
    pub const ALL: [Factor; Factor::COUNT] =
        [Factor::OracleUncertainty, Factor::OracleUnavailable, Factor::BaseWeight];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskError {
    Math(MathError),
    /// A liability's oracle is unusable for this action, so its size cannot be bounded.
    LiabilityOracleUnusable {
        asset_index: u16,
    },
}

impl From<MathError> for RiskError {
    fn from(e: MathError) -> Self {
        RiskError::Math(e)
    }
}

pub type RiskResult<T> = Result<T, RiskError>;
