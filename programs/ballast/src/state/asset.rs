use crate::math::{from_bps, FixedBits, MathResult, I80F48};
use crate::risk::{AssetWeights, FactorConfig, LendingState, OracleLimits, RateCurve, RiskFactors};
use crate::state::PauseBits;
use anchor_lang::prelude::borsh::{BorshDeserialize, BorshSerialize};
use anchor_lang::prelude::*;

pub const ASSET_SEED: &[u8] = b"asset";
pub const VAULT_SEED: &[u8] = b"vault";

/// Which oracle prices the asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OracleKind {
    /// Pyth pull oracle: a `PriceUpdateV2` account owned by the Pyth receiver program, at the
    /// address pinned in `AssetConfig::oracle` (the sponsored feed account unless governance
    /// chose another), with the asset's feed id.
    PythPull = 0,
    /// Pyth legacy price account, matched by its address.
    PythLegacy = 1,
}

impl OracleKind {
    pub fn from_u8(v: u8) -> Option<OracleKind> {
        match v {
            0 => Some(OracleKind::PythPull),
            1 => Some(OracleKind::PythLegacy),
            _ => None,
        }
    }
}

/// Asset may only shrink: no new deposits or borrows (repay and withdraw still work).
pub const ASSET_FLAG_REDUCE_ONLY: u8 = 1 << 0;
/// Asset is frozen until the admin lifts it (through the timelock): no deposits, withdrawals or
/// borrows; repay and liquidation still work. The guardian's halts are pauses, which expire.
pub const ASSET_FLAG_FROZEN: u8 = 1 << 1;

/// Governance parameters of one asset, exactly as set by `register_asset` / `update_asset`.
/// Ratios are in basis points (10_000 = 1.0); rates are annual.
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct AssetConfig {
    /// The price account, pinned: a caller can never choose another. PythLegacy: the price
    /// account. PythPull: the `PriceUpdateV2` account; left zero at listing it defaults to the
    /// Pyth sponsored feed account of `feed_id` (shard 0), whose only writer is Pyth's push
    /// oracle program, which never posts an older update over a newer one.
    pub oracle: Pubkey,
    /// PythPull: the 32-byte feed id. PythLegacy: unused (zero).
    pub feed_id: [u8; 32],
    /// Largest total deposits, native units.
    pub deposit_cap: u64,
    /// Largest total borrows, native units.
    pub borrow_cap: u64,
    pub max_staleness_secs: u32,
    /// Confidence / price limit for risk-increasing actions.
    pub max_conf_bps: u32,
    /// Wider confidence limit that liquidations accept (>= max_conf_bps).
    pub liquidation_max_conf_bps: u32,
    /// k: prices are shaded by k confidence intervals.
    pub conf_multiplier_bps: u32,
    /// Largest |spot - ema| / ema accepted.
    pub max_ema_deviation_bps: u32,
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liab_weight_bps: u32,
    pub maint_liab_weight_bps: u32,
    /// Liquidator's bonus, paid in this collateral, when a liquidation starts.
    pub liquidation_fee_bps: u32,
    /// The bonus grows with the liquidation's age up to this cap.
    pub max_liquidation_fee_bps: u32,
    /// Share of borrow interest that goes to the insurance fund.
    pub protocol_fee_bps: u32,
    pub util0_bps: u32,
    pub rate0_bps: u32,
    pub util1_bps: u32,
    pub rate1_bps: u32,
    pub max_rate_bps: u32,
    /// `OracleKind as u8`.
    pub oracle_kind: u8,
    /// `ASSET_FLAG_*` bits.
    pub flags: u8,
    pub padding: [u8; 2],
    /// Init asset weights scale down once total deposits are worth more than this
    /// (quote-native); 0 = never.
    pub deposit_weight_scale_start: u64,
    /// Init liability weights scale up once total borrows are worth more than this; 0 = never.
    pub borrow_weight_scale_start: u64,
    /// Governance floor of the annualised volatility used by the volatility factor.
    pub sigma_floor_bps: u32,
    /// Time a liquidation of this asset is expected to take; 0 switches the volatility factor off.
    pub liquidation_horizon_secs: u32,
    /// Least time between two volatility samples taken by `update_volatility`.
    pub vol_sample_interval_secs: u32,
    /// EWMA decay of the realised variance per sample (9_400 = RiskMetrics' 0.94).
    pub ewma_lambda_bps: u32,
    /// Drift's IMF factor for the size discount, in millionths; 0 = off.
    pub size_imf_ppm: u32,
    /// Share of an account's collateral above which this asset is concentrated (Init);
    /// 0 or >= 10_000 = off.
    pub concentration_threshold_bps: u32,
    /// Extra haircut on the concentrated excess.
    pub concentration_haircut_bps: u32,
    /// Correlation group (1..=8) whose weights apply to offsetting positions; 0 = none.
    pub correlation_group: u8,
    pub padding2: [u8; 3],
    /// A tightening of the maintenance weights takes effect linearly over this many seconds
    /// (Mango's maint weight shift), so one change cannot liquidate a crowd at once; 0 = at once.
    pub maint_weight_glide_secs: u32,
    pub reserved: [u8; 12],
    /// The implied-volatility surface option marks use (empty: no option may list on it).
    pub vol_surface: VolSurfaceConfig,
}

const _: () = assert!(core::mem::size_of::<AssetConfig>() == 216 + 64);

/// One expiry bucket of `VolSurfaceConfig` (`risk::VolBucket`).
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct VolBucketConfig {
    pub tenor_secs: u32,
    pub atm_vol_bps: u32,
    pub put_wing_bps: u32,
    pub call_wing_bps: u32,
}

/// An underlying's volatility surface as governance sets it: per expiry bucket (tenor zero:
/// unused), ATM volatility and the put and call wings (`risk::VolSurface`).
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct VolSurfaceConfig {
    pub buckets: [VolBucketConfig; crate::risk::VOL_BUCKETS],
}

const _: () = assert!(core::mem::size_of::<VolSurfaceConfig>() == 64);

impl VolSurfaceConfig {
    pub const EMPTY: VolSurfaceConfig = VolSurfaceConfig {
        buckets: [VolBucketConfig { tenor_secs: 0, atm_vol_bps: 0, put_wing_bps: 0, call_wing_bps: 0 };
            crate::risk::VOL_BUCKETS],
    };

    /// The engine's surface.
    pub fn surface(&self) -> crate::risk::VolSurface {
        let mut s = crate::risk::VolSurface::default();
        for (out, b) in s.buckets.iter_mut().zip(self.buckets.iter()) {
            *out = crate::risk::VolBucket {
                tenor_secs: b.tenor_secs,
                atm_vol_bps: b.atm_vol_bps,
                put_wing_bps: b.put_wing_bps,
                call_wing_bps: b.call_wing_bps,
            };
        }
        s
    }
}

impl AssetConfig {
    /// The canonical starting point for a new asset's config, which clients (the CLI's
    /// `asset register`, the SDK's parameter files, test harnesses) fill in: no caps, 60 s
    /// staleness, 2% confidence (5% for liquidations), k = 1, 10% EMA deviation, a 5%/9% fee
    /// ramp with 10% of interest to insurance, a 5%/20%/200% rate curve (kinks at 50% and 80%
    /// utilisation), hourly volatility samples with lambda 0.94, pull oracle, no flags, and every
    /// optional factor (volatility, size, scaling, concentration, correlation) off.
    ///
    /// The oracle (`feed_id` / `oracle`) and the four weights are left zero: they have no sound
    /// default, so the caller must set them (`validate_asset_config` refuses a config without).
    pub const fn template() -> AssetConfig {
        AssetConfig {
            oracle: Pubkey::new_from_array([0; 32]),
            feed_id: [0; 32],
            deposit_cap: u64::MAX,
            borrow_cap: u64::MAX,
            max_staleness_secs: 60,
            max_conf_bps: 200,
            liquidation_max_conf_bps: 500,
            conf_multiplier_bps: 10_000,
            max_ema_deviation_bps: 1_000,
            init_asset_weight_bps: 0,
            maint_asset_weight_bps: 0,
            init_liab_weight_bps: 0,
            maint_liab_weight_bps: 0,
            liquidation_fee_bps: 500,
            max_liquidation_fee_bps: 900,
            protocol_fee_bps: 1_000,
            util0_bps: 5_000,
            rate0_bps: 500,
            util1_bps: 8_000,
            rate1_bps: 2_000,
            max_rate_bps: 20_000,
            oracle_kind: OracleKind::PythPull as u8,
            flags: 0,
            padding: [0; 2],
            deposit_weight_scale_start: 0,
            borrow_weight_scale_start: 0,
            sigma_floor_bps: 0,
            liquidation_horizon_secs: 0,
            vol_sample_interval_secs: 3_600,
            ewma_lambda_bps: 9_400,
            size_imf_ppm: 0,
            concentration_threshold_bps: 0,
            concentration_haircut_bps: 0,
            correlation_group: 0,
            padding2: [0; 3],
            maint_weight_glide_secs: 0,
            reserved: [0; 12],
            vol_surface: VolSurfaceConfig::EMPTY,
        }
    }
    pub fn oracle_kind(&self) -> Option<OracleKind> {
        OracleKind::from_u8(self.oracle_kind)
    }
    pub fn is_reduce_only(&self) -> bool {
        self.flags & ASSET_FLAG_REDUCE_ONLY != 0
    }
    pub fn is_frozen(&self) -> bool {
        self.flags & ASSET_FLAG_FROZEN != 0
    }
    pub fn rate_curve(&self) -> RateCurve {
        RateCurve {
            util0: from_bps(self.util0_bps),
            rate0: from_bps(self.rate0_bps),
            util1: from_bps(self.util1_bps),
            rate1: from_bps(self.rate1_bps),
            max_rate: from_bps(self.max_rate_bps),
        }
    }
    /// Limits for risk-increasing actions (withdraw, borrow).
    pub fn risk_increasing_limits(&self) -> OracleLimits {
        OracleLimits {
            max_staleness_secs: self.max_staleness_secs,
            max_conf_bps: self.max_conf_bps,
            max_ema_deviation_bps: self.max_ema_deviation_bps,
        }
    }
    /// Limits for liquidation: as fresh, a wider confidence band, and no EMA-deviation check,
    /// since in a crash the spot price leaves its EMA exactly when liquidations matter most.
    pub fn liquidation_limits(&self) -> OracleLimits {
        OracleLimits {
            max_staleness_secs: self.max_staleness_secs,
            max_conf_bps: self.liquidation_max_conf_bps,
            max_ema_deviation_bps: u32::MAX,
        }
    }
}

/// One listed token: its vault, oracle, risk parameters and lending state.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Asset {
    pub group: Pubkey,
    pub mint: Pubkey,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Token account holding every deposit, owned by this Asset PDA.
    pub vault: Pubkey,
    pub config: AssetConfig,
    pub deposit_index: FixedBits,
    pub borrow_index: FixedBits,
    pub deposit_shares: FixedBits,
    pub borrow_shares: FixedBits,
    /// Native tokens held in the vault for the insurance fund (see `LendingState`).
    pub insurance_fund: FixedBits,
    /// Weights and k from `config`, converted once per change so health checks skip the divisions.
    pub init_asset_weight: FixedBits,
    pub maint_asset_weight: FixedBits,
    pub init_liab_weight: FixedBits,
    pub maint_liab_weight: FixedBits,
    pub conf_multiplier: FixedBits,
    /// Realised variance of log returns, annualised, kept by `update_volatility` (EWMA).
    pub realized_variance: FixedBits,
    /// Price of the last volatility sample (quote-native per native unit).
    pub vol_last_price: FixedBits,
    /// Native units of this asset that a bankruptcy could not socialise (the depositors had
    /// less than the loss, see `resolve_bankruptcy`): a shortfall of the vault, reported so
    /// it is never hidden.
    pub bad_debt: FixedBits,
    /// sigma * sqrt(horizon in years) with sigma = max(floor, realised): cached for health checks.
    pub horizon_vol: FixedBits,
    /// Oracle publish time of the last volatility sample (not the wall clock: returns are
    /// annualised over the time between the two readings, and one reading is never sampled
    /// twice).
    pub vol_last_publish_ts: i64,
    pub last_accrual_ts: i64,
    /// Latest oracle publish time any instruction that could write this account accepted;
    /// readings older than this are refused, so nobody can replay an old price.
    pub oracle_last_publish_ts: i64,
    pub asset_index: u16,
    pub decimals: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub padding: [u8; 3],
    /// The maintenance weights' glides toward `maint_asset_weight` / `maint_liab_weight`.
    pub maint_asset_weight_glide: Glide,
    pub maint_liab_weight_glide: Glide,
    /// This asset's pause (deposit, withdraw, borrow), expiring.
    pub pause: PauseBits,
    pub reserved: [u8; 344],
}

/// A weight moving from `from` to its cached target over `[start_ts, start_ts + secs]`; `secs`
/// zero: no glide, the target applies.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Glide {
    pub from: FixedBits,
    pub start_ts: i64,
    pub secs: u32,
    pub padding: [u8; 4],
}

impl Glide {
    /// The weight at `now`, gliding toward `target`.
    pub fn at(&self, target: I80F48, now: i64) -> MathResult<I80F48> {
        if self.secs == 0 {
            return Ok(target);
        }
        crate::risk::governance::glide(self.from.get(), target, self.start_ts, self.secs, now)
    }
}

pub const ASSET_SIZE: usize = 8 + core::mem::size_of::<Asset>();
const _: () = assert!(core::mem::size_of::<Glide>() == 32);
const _: () =
    assert!(core::mem::size_of::<Asset>() == 128 + 216 + 64 + 16 * 14 + 8 + 8 + 8 + 8 + 32 * 2 + 24 + 344);
const _: () = assert!(ASSET_SIZE == 1_104);

impl Asset {
    /// Applies a validated config and refreshes the cached fixed-point values.
    pub fn apply_config(&mut self, config: &AssetConfig) -> MathResult<()> {
        self.config = *config;
        self.init_asset_weight = from_bps(config.init_asset_weight_bps).into();
        self.maint_asset_weight = from_bps(config.maint_asset_weight_bps).into();
        self.init_liab_weight = from_bps(config.init_liab_weight_bps).into();
        self.maint_liab_weight = from_bps(config.maint_liab_weight_bps).into();
        self.conf_multiplier = from_bps(config.conf_multiplier_bps).into();
        self.refresh_horizon_vol()
    }

    /// Applies a validated change of config at `now`: as `apply_config`, and a maintenance
    /// weight that tightens starts gliding from the weight in force (`governance::glide_update`)
    /// over the asset's window, or `min_glide_secs` if longer.
    pub fn change_config(&mut self, config: &AssetConfig, now: i64, min_glide_secs: u32) -> MathResult<()> {
        use crate::risk::governance::{glide_update, GlideUpdate};
        let in_force = self.weights_at(now)?;
        let (old_asset, old_liab) = (self.maint_asset_weight.get(), self.maint_liab_weight.get());
        self.apply_config(config)?;
        let window = config.maint_weight_glide_secs.max(min_glide_secs);
        let updates = [
            (
                &mut self.maint_asset_weight_glide,
                old_asset,
                self.maint_asset_weight.get(),
                in_force.maint_asset,
                true,
            ),
            (
                &mut self.maint_liab_weight_glide,
                old_liab,
                self.maint_liab_weight.get(),
                in_force.maint_liab,
                false,
            ),
        ];
        for (glide, old, new, now_weight, lower_tightens) in updates {
            match glide_update(old, new, now_weight, lower_tightens, window) {
                GlideUpdate::Keep => {}
                GlideUpdate::Start { from } => {
                    *glide = Glide { from: from.into(), start_ts: now, secs: window, padding: [0; 4] }
                }
                GlideUpdate::Stop => *glide = Glide::default(),
            }
        }
        Ok(())
    }

    /// Caches the engine's `horizon_vol` from the floor, the realised variance and the horizon.
    pub fn refresh_horizon_vol(&mut self) -> MathResult<()> {
        let c = &self.config;
        let hv = crate::risk::horizon_vol(
            c.sigma_floor_bps,
            self.realized_variance.get(),
            c.liquidation_horizon_secs,
        )?;
        self.horizon_vol = hv.into();
        Ok(())
    }

    /// The parameters of the engine's single-asset factors.
    pub fn factor_config(&self) -> FactorConfig {
        let c = &self.config;
        FactorConfig {
            deposit_weight_scale_start: c.deposit_weight_scale_start,
            borrow_weight_scale_start: c.borrow_weight_scale_start,
            size_imf_ppm: c.size_imf_ppm,
            concentration_threshold_bps: c.concentration_threshold_bps,
            concentration_haircut_bps: c.concentration_haircut_bps,
            correlation_group: c.correlation_group,
            decimals: self.decimals,
        }
    }

    /// The single-asset risk factors with the pool `lending` at `spot` (`risk::risk_factors`).
    pub fn risk_factors(&self, lending: &LendingState, spot: I80F48) -> MathResult<RiskFactors> {
        crate::risk::risk_factors(&self.factor_config(), self.horizon_vol.get(), lending, spot)
    }

    /// The weights in force at `now`: the configured ones, except maintenance weights still
    /// gliding toward theirs. Every health computation, on chain and off, uses this.
    pub fn weights_at(&self, now: i64) -> MathResult<AssetWeights> {
        Ok(AssetWeights {
            init_asset: self.init_asset_weight.get(),
            maint_asset: self.maint_asset_weight_glide.at(self.maint_asset_weight.get(), now)?,
            init_liab: self.init_liab_weight.get(),
            maint_liab: self.maint_liab_weight_glide.at(self.maint_liab_weight.get(), now)?,
        })
    }

    /// Whether `action` (a `PAUSE_*` bit) is paused on this asset at `now`.
    pub fn pause_blocks(&self, action: u8, now: i64) -> bool {
        self.pause.blocks(action, now)
    }

    pub fn lending_state(&self) -> LendingState {
        LendingState {
            deposit_index: self.deposit_index.get(),
            borrow_index: self.borrow_index.get(),
            deposit_shares: self.deposit_shares.get(),
            borrow_shares: self.borrow_shares.get(),
            insurance_fund: self.insurance_fund.get(),
        }
    }

    pub fn set_lending_state(&mut self, s: &LendingState) {
        self.deposit_index = s.deposit_index.into();
        self.borrow_index = s.borrow_index.into();
        self.deposit_shares = s.deposit_shares.into();
        self.borrow_shares = s.borrow_shares.into();
        self.insurance_fund = s.insurance_fund.into();
    }

    /// Accrues interest up to `now`. Returns the borrow rate applied.
    pub fn accrue_interest(&mut self, now: i64) -> MathResult<I80F48> {
        let mut state = self.lending_state();
        let elapsed = now.saturating_sub(self.last_accrual_ts);
        let rate = crate::risk::accrue_interest(
            &mut state,
            &self.config.rate_curve(),
            from_bps(self.config.protocol_fee_bps),
            elapsed,
        )?;
        self.set_lending_state(&state);
        if now > self.last_accrual_ts {
            self.last_accrual_ts = now;
        }
        Ok(rate)
    }

    /// Tokens a vault holding `vault_amount` can pay out: its balance less the insurance fund
    /// (rounded up), which stays in the vault.
    pub fn available_liquidity(&self, vault_amount: u64) -> MathResult<u64> {
        let reserved = crate::math::to_u64_ceil(self.insurance_fund.get())?;
        Ok(vault_amount.saturating_sub(reserved))
    }

    /// Native balance of a position with `shares`, rounded against the account.
    pub fn native_balance(&self, shares: I80F48) -> MathResult<I80F48> {
        self.lending_state().native_balance(shares)
    }
}
