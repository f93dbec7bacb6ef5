use crate::math::MathError;
use crate::risk::RiskError;
use anchor_lang::prelude::*;

/// Every rejection the program makes, by name.
#[error_code]
pub enum BallastError {
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("signer is not the group admin")]
    NotAdmin,
    #[msg("signer is not the margin account's owner")]
    NotOwner,
    #[msg("signer is neither the margin account's owner nor its delegate")]
    NotOwnerOrDelegate,
    #[msg("account belongs to another group")]
    WrongGroup,
    #[msg("mint does not match the asset")]
    WrongMint,
    #[msg("vault does not match the asset")]
    WrongVault,
    #[msg("token program does not match the asset's mint")]
    WrongTokenProgram,
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    #[msg("the group is paused")]
    GroupPaused,
    #[msg("the asset is paused")]
    AssetPaused,
    #[msg("the asset is reduce-only")]
    AssetReduceOnly,
    #[msg("deposit would exceed the asset's deposit cap")]
    DepositCapExceeded,
    #[msg("borrow would exceed the asset's borrow cap")]
    BorrowCapExceeded,
    #[msg("margin account has no free token position")]
    NoFreePositionSlot,
    #[msg("margin account has no deposit of this asset")]
    NoDeposit,
    #[msg("amount exceeds the deposit")]
    InsufficientDeposit,
    #[msg("margin account has no borrow of this asset")]
    NoBorrow,
    #[msg("amount exceeds the debt")]
    RepayExceedsDebt,
    #[msg("deposit into an asset the account borrows: repay instead")]
    DepositOnBorrowedAsset,
    #[msg("borrow of an asset the account has deposited: withdraw instead")]
    BorrowOnDepositedAsset,
    #[msg("vault lacks the liquidity for this amount")]
    InsufficientLiquidity,
    #[msg("initial health would fall below zero")]
    InsufficientHealth,
    #[msg("margin account is being liquidated")]
    BeingLiquidated,
    #[msg("margin account still holds positions")]
    AccountNotEmpty,
    #[msg("health accounts are missing or out of the documented order")]
    InvalidHealthAccounts,
    #[msg("oracle account is not owned by the expected oracle program")]
    OracleWrongOwner,
    #[msg("oracle account does not match the asset's configured oracle")]
    OracleMismatch,
    #[msg("oracle feed id does not match the asset")]
    OracleFeedIdMismatch,
    #[msg("oracle update is not fully verified")]
    OracleNotFullyVerified,
    #[msg("oracle account data is malformed")]
    OracleInvalidData,
    #[msg("a liability's oracle is stale, too uncertain or off its EMA")]
    LiabilityOracleUnusable,
    #[msg("oracle price is stale")]
    OracleStale,
    #[msg("oracle confidence interval is too wide")]
    OracleConfidenceTooWide,
    #[msg("oracle spot price deviates too far from its EMA")]
    OracleEmaDeviation,
    #[msg("oracle price is not positive")]
    OracleNonPositivePrice,
    #[msg("unknown oracle kind")]
    InvalidOracleKind,
    #[msg("init asset weight is above the maintenance asset weight")]
    InvalidAssetWeights,
    #[msg("init liability weight is below the maintenance liability weight")]
    InvalidLiabilityWeights,
    #[msg("max liquidation fee must be below the maintenance haircut (1 - maint asset weight)")]
    InvalidLiquidationFee,
    #[msg("utilisation kinks must satisfy util0 < util1 < 100%")]
    InvalidRateCurve,
    #[msg("protocol fee must be below 100%")]
    InvalidProtocolFee,
    #[msg("max_staleness_secs must be positive")]
    ZeroMaxStaleness,
    #[msg("the asset must pin its oracle account")]
    OracleAccountUnset,
    #[msg("Token-2022 mint has an extension Ballast cannot account for")]
    UnsupportedMintExtension,
    #[msg("unknown flag bits")]
    InvalidFlags,
    #[msg("liquidation bonus ramp longer than a day")]
    BonusRampTooLong,
    #[msg("account is not liquidatable: maintenance health is not negative")]
    NotLiquidatable,
    #[msg("the named asset is not a liability of the liquidated account")]
    NotALiability,
    #[msg("no collateral with a usable oracle can pay for the liability")]
    NoLiquidatableCollateral,
    #[msg("liquidation bonus is below the liquidator's minimum")]
    BonusBelowMinimum,
    #[msg("liquidation did not improve the account's health")]
    HealthNotImproved,
    #[msg("liquidator's account would end below zero Init health")]
    LiquidatorInsufficientHealth,
    #[msg("an account cannot liquidate itself")]
    SelfLiquidation,
    #[msg("account is not bankrupt: its collateral is worth the dust value or more, or covers its debt")]
    NotBankrupt,
    #[msg("an asset that the instruction changes was passed read-only")]
    AssetNotWritable,
    #[msg("volatility samples must be at least the oracle staleness window apart")]
    VolSampleIntervalBelowStaleness,
    #[msg("concentration haircut above 100%")]
    ConcentrationHaircutAboveOne,
    #[msg("correlation group weights must be ordered like asset weights (init asset <= maint asset, init liab >= maint liab)")]
    InvalidCorrelationGroup,
    #[msg("volatility was sampled less than the sample interval ago")]
    VolatilitySampleTooSoon,
    #[msg("an account appears twice in the health accounts")]
    DuplicateHealthAccount,
    #[msg("oracle reading is older than one the asset already accepted")]
    OracleReadingRegressed,
    #[msg("oracle price converts to zero in native units")]
    OraclePriceBelowResolution,
    #[msg("this oracle reading was already sampled for volatility")]
    VolatilityReadingAlreadySampled,
    #[msg("mint decimals above the supported maximum (18)")]
    UnsupportedMintDecimals,
    #[msg("signer is neither the group admin nor its risk guardian")]
    NotAdminOrGuardian,
    // Parameter validation, one error per check (`validation/`).
    #[msg("max_conf_bps must be in 1..=10_000")]
    MaxConfOutOfRange,
    #[msg("liquidation_max_conf_bps must be between max_conf_bps and 10_000")]
    LiquidationMaxConfOutOfRange,
    #[msg("max_ema_deviation_bps must be positive")]
    ZeroMaxEmaDeviation,
    #[msg("conf_multiplier_bps above 10 confidence intervals")]
    ConfMultiplierTooHigh,
    #[msg("a pull oracle must name its feed id")]
    PullOracleWithoutFeedId,
    #[msg("a legacy price account has no feed id: leave it zero")]
    LegacyOracleWithFeedId,
    #[msg("init asset weight must be positive")]
    ZeroInitAssetWeight,
    #[msg("maintenance asset weight above 1")]
    AssetWeightAboveOne,
    #[msg("maintenance liability weight below 1")]
    LiabilityWeightBelowOne,
    #[msg("init liability weight above 10")]
    LiabilityWeightTooHigh,
    #[msg("starting liquidation fee above its cap")]
    LiquidationFeeAboveMax,
    #[msg("rates must satisfy rate0 <= rate1 <= max_rate")]
    RatesNotIncreasing,
    #[msg("max rate above 1000% a year")]
    MaxRateTooHigh,
    #[msg("volatility floor above 1000% a year")]
    SigmaFloorTooHigh,
    #[msg("liquidation horizon longer than a year")]
    HorizonTooLong,
    #[msg("EWMA lambda must be below 1")]
    EwmaLambdaNotBelowOne,
    #[msg("correlation group id above the 8 groups a group defines")]
    UnknownCorrelationGroup,
    #[msg("insurance share above 100%")]
    InsuranceShareAboveOne,
    #[msg("dust value above $10")]
    DustValueTooHigh,
    #[msg("z for maintenance above z for init")]
    ZMaintAboveZInit,
    #[msg("z above 10 standard deviations")]
    ZTooHigh,
    #[msg("correlation group weight out of range (maint asset <= 1, maint liab >= 1, init liab <= 10)")]
    CorrelationWeightOutOfRange,
    #[msg("patch has no entries")]
    PatchEmpty,
    #[msg("patch has more entries than a proposal holds (16)")]
    PatchTooLong,
    #[msg("patch names a field this target does not have")]
    PatchFieldUnknown,
    #[msg("patch names the same field twice")]
    PatchFieldRepeated,
    #[msg("patch value does not fit its field")]
    PatchValueOutOfRange,
    #[msg("patch changes nothing")]
    PatchChangesNothing,
    #[msg("this change loosens (or has no safe direction): propose it and wait for the timelock")]
    LooseningNeedsProposal,
    #[msg("the risk guardian may only tighten")]
    GuardianCannotLoosen,
    #[msg("only the admin may freeze an asset indefinitely; the guardian pauses, which expire")]
    GuardianCannotFreeze,
    #[msg("only the admin may lift a pause before it expires")]
    GuardianCannotUnpause,
    #[msg("timelock delay above the maximum (90 days)")]
    TimelockTooLong,
    #[msg("maintenance weight glide window above the maximum (30 days)")]
    GlideTooLong,
    #[msg("proposal is not executable yet: its timelock has not passed")]
    ProposalTooEarly,
    #[msg("proposal lapsed: not executed within the grace period after its timelock")]
    ProposalLapsed,
    #[msg("proposal was already executed")]
    ProposalAlreadyExecuted,
    #[msg("proposal was cancelled")]
    ProposalCancelled,
    #[msg("proposal targets another account")]
    ProposalWrongTarget,
    #[msg("signer is not the pending admin")]
    NotPendingAdmin,
    #[msg("pause names no action, or one this scope cannot pause (group-wide: withdraw, borrow)")]
    PauseActionsInvalid,
    #[msg("pause renewed too many times in a row (2)")]
    PauseTooManyConsecutive,
    #[msg("too many pauses in one day (3)")]
    PauseTooManyToday,
    #[msg("pause has not expired: only the admin may lift it early")]
    PauseNotExpired,
    #[msg("nothing is paused")]
    NotPaused,
    #[msg("asset is frozen")]
    AssetFrozen,
    #[msg("proposal is stale: a field it changes no longer holds the value it was proposed against")]
    ProposalStale,
    #[msg("the risk guardian cannot cancel a proposal that replaces it")]
    GuardianCannotCancelItsReplacement,
    #[msg("a derivative's underlying asset is not among the health accounts")]
    UnderlyingNotPriced,
    #[msg("unknown market kind (0 future, 1 call, 2 put)")]
    UnsupportedMarketKind,
    #[msg("unknown market flag bits")]
    InvalidMarketFlags,
    #[msg("market expiry is not in the future")]
    MarketExpiryInPast,
    #[msg("contract size is zero")]
    ZeroContractSize,
    #[msg("open-interest cap is zero")]
    ZeroOpenInterestCap,
    #[msg("price band must be in (0, 50%]")]
    PriceBandOutOfRange,
    #[msg("scan range invalid (0 < min maint <= min init <= 100%, multiplier <= 10x)")]
    ScanRangeInvalid,
    #[msg("extreme move invalid (1x..10x the range, fraction <= 100%)")]
    ExtremeMoveInvalid,
    #[msg("PnL weights invalid (init <= maint <= 100%)")]
    PnlWeightInvalid,
    #[msg("settlement window must be in (0, 1 day]")]
    SettlementWindowInvalid,
    #[msg("the quote asset cannot be the underlying")]
    QuoteAssetIsUnderlying,
    #[msg("no free derivative position slot")]
    NoFreeDerivativeSlot,
    #[msg("the market has expired: no more trading")]
    MarketExpired,
    #[msg("trade price is outside the market's band around the oracle spot")]
    PriceOutsideBand,
    #[msg("the trade would take open interest past the market's cap")]
    OpenInterestCapExceeded,
    #[msg("the market is reduce-only: a trade may only shrink both positions")]
    MarketReduceOnly,
    #[msg("the same margin account is on both sides")]
    SameAccountBothSides,
    #[msg("the market does not belong to this underlying or quote asset")]
    WrongMarketAsset,
    #[msg("the account holds no position in this market")]
    NoDerivativePosition,
    #[msg("settle_pnl needs an account with positive PnL and one with negative PnL in the market")]
    PnlSignsDoNotMatch,
    #[msg("settling would take the paying account below maintenance health")]
    SettlementBreaksMaint,
    #[msg("the market has not expired yet")]
    MarketNotExpired,
    #[msg("the settlement reading was published before expiry")]
    SettlementReadingBeforeExpiry,
    #[msg("the settlement reading was published after the settlement window")]
    SettlementReadingOutsideWindow,
    #[msg("a settlement reading published no later is already recorded")]
    SettlementReadingNotEarlier,
    #[msg("the settlement price is final")]
    SettlementFinal,
    #[msg("the account still holds derivative positions")]
    AccountHasDerivatives,
    #[msg("less than one quote-native unit of PnL to settle")]
    NothingToSettle,
    #[msg("the market settled: its positions close through settle_pnl")]
    MarketSettled,
    #[msg("fewer contracts would bring LiquidationEnd health to zero")]
    LiquidationExceedsTarget,
    #[msg("a proposal targets one asset, one market or the group: pass at most one of them")]
    PatchTargetAmbiguous,
    #[msg("a market's quote asset must have 6 decimals: PnL counts one quote-native unit as one micro-USD")]
    QuoteAssetDecimals,
    #[msg("volatility surface: used buckets first, with strictly increasing tenors")]
    VolSurfaceTenorsNotIncreasing,
    #[msg("volatility surface: ATM volatility outside [1%, 500%]")]
    VolSurfaceAtmOutOfBounds,
    #[msg("volatility surface: a wing above 1000% per unit of log-moneyness")]
    VolSurfaceWingOutOfBounds,
    #[msg("an option market needs its underlying to have a volatility surface")]
    UnderlyingHasNoVolSurface,
    #[msg("an option needs a strike; a future must have none")]
    StrikeInvalid,
    #[msg("option margin parameters invalid (vol shocks up <= 500%, down <= 100%, short-option minimum <= 100%, risk-array age in (0, 1 hour], move in (0, 50%])")]
    OptionParamsInvalid,
    #[msg("not an option market")]
    NotAnOptionMarket,
    #[msg("the option market's risk array was never computed: run update_risk_array first")]
    RiskArrayMissing,
    #[msg("the option market's risk array is older than the market allows: run update_risk_array in the same transaction")]
    RiskArrayStale,
    #[msg("the option market's risk array was computed at a price too far from the oracle's: run update_risk_array in the same transaction")]
    RiskArrayPriceMoved,
    #[msg("the oracle reading is older than the one the risk array used")]
    RiskArrayReadingRegressed,
}

impl From<MathError> for BallastError {
    fn from(_: MathError) -> Self {
        BallastError::MathOverflow
    }
}

impl From<RiskError> for BallastError {
    fn from(e: RiskError) -> Self {
        match e {
            RiskError::Math(_) => BallastError::MathOverflow,
            RiskError::LiabilityOracleUnusable { .. } => BallastError::LiabilityOracleUnusable,
            RiskError::MissingUnderlying { .. } => BallastError::UnderlyingNotPriced,
        }
    }
}

/// `?`-friendly conversion of pure-code errors into Anchor errors.
pub trait IntoAnchor<T> {
    fn anchor(self) -> Result<T>;
}

impl<T> IntoAnchor<T> for core::result::Result<T, MathError> {
    fn anchor(self) -> Result<T> {
        self.map_err(|e| error!(BallastError::from(e)))
    }
}

impl<T> IntoAnchor<T> for core::result::Result<T, RiskError> {
    fn anchor(self) -> Result<T> {
        self.map_err(|e| {
            if let RiskError::LiabilityOracleUnusable { asset_index } = e {
                msg!("liability oracle unusable for asset {}", asset_index);
            }
            error!(BallastError::from(e))
        })
    }
}
