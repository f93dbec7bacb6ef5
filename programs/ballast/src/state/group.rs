use crate::math::from_bps;
use crate::risk::governance::PauseState;
use crate::risk::{AssetWeights, CorrelationWeights, HealthParams, MAX_CORRELATION_GROUPS};
use anchor_lang::prelude::borsh::{BorshDeserialize, BorshSerialize};
use anchor_lang::prelude::*;

/// A group is one margin venue: its assets and margin accounts belong to it, and its admin
/// (expected to be a multisig or DAO PDA) governs them.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Group {
    /// Governance authority: lists assets and changes parameters.
    pub admin: Pubkey,
    /// May only tighten parameters (at once), pause (for a bounded time) and cancel proposals;
    /// never loosen, unpause or re-enable. Changed only through the timelock.
    pub risk_guardian: Pubkey,
    /// Offered the admin role by `propose_admin`; becomes admin when it signs `accept_admin`.
    /// Zero: no offer.
    pub pending_admin: Pubkey,
    /// Number of assets registered; the next asset gets this index.
    pub asset_count: u16,
    pub group_num: u16,
    pub bump: u8,
    /// Reserved for `GROUP_FLAG_*` bits (none yet).
    pub flags: u8,
    pub padding: [u8; 2],
    /// Proposals created so far; the next one is numbered this (its PDA seed).
    pub proposal_count: u64,
    /// The group-wide risk pause (withdraw, borrow), expiring.
    pub pause: PauseBits,
    pub config: GroupConfig,
    /// Markets listed; the next one gets this index.
    pub market_count: u16,
    pub padding2: [u8; 6],
    pub reserved: [u8; 56],
}

/// `risk::governance::PauseState` in account storage.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PauseBits {
    pub actions: u8,
    pub consecutive: u8,
    pub day_count: u8,
    pub padding: [u8; 5],
    pub expires_ts: i64,
    pub day_start_ts: i64,
}

impl PauseBits {
    pub fn get(&self) -> PauseState {
        PauseState {
            actions: self.actions,
            consecutive: self.consecutive,
            day_count: self.day_count,
            expires_ts: self.expires_ts,
            day_start_ts: self.day_start_ts,
        }
    }

    pub fn set(&mut self, p: &PauseState) {
        self.actions = p.actions;
        self.consecutive = p.consecutive;
        self.day_count = p.day_count;
        self.expires_ts = p.expires_ts;
        self.day_start_ts = p.day_start_ts;
    }

    /// Whether `action` (a `PAUSE_*` bit) is paused at `now`.
    pub fn blocks(&self, action: u8, now: i64) -> bool {
        self.get().blocks(action, now)
    }
}

/// Group-wide liquidation settings.
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct GroupConfig {
    /// Seconds over which a liquidation's bonus grows from each asset's start fee to its cap.
    pub liquidation_bonus_ramp_secs: u32,
    /// Share of every liquidation bonus that goes to the seized asset's insurance fund.
    pub insurance_share_bps: u32,
    /// Remainders worth less than this (quote-native, micro-USD) are liquidated whole.
    pub dust_value: u64,
    /// Standard deviations of a horizon move the volatility factor guards against, for Init
    /// and Maint (LiquidationEnd uses their midpoint).
    pub z_init_bps: u32,
    pub z_maint_bps: u32,
    /// Weights of correlation groups 1..=8 (all zero: unused).
    pub correlation_groups: [CorrelationGroupConfig; 8],
    /// Seconds a loosening waits between its proposal and its execution. Zero: no timelock
    /// (a development group), the admin's loosenings apply at once.
    pub timelock_delay_secs: u32,
    pub padding: [u8; 4],
}

/// Weights that the matched part of a correlation group's positions uses.
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct CorrelationGroupConfig {
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liab_weight_bps: u32,
    pub maint_liab_weight_bps: u32,
}

impl CorrelationGroupConfig {
    pub fn is_used(&self) -> bool {
        *self != CorrelationGroupConfig::default()
    }
}

impl GroupConfig {
    /// The canonical starting point for a group's config: a liquidation bonus that ramps over an
    /// hour, 20% of every bonus to the insurance fund, dust of one cent (10_000 micro-USD), the
    /// volatility factor (z = 0) and every correlation group off, and no timelock (a deployment
    /// sets one).
    pub const fn template() -> GroupConfig {
        const NO_GROUP: CorrelationGroupConfig = CorrelationGroupConfig {
            init_asset_weight_bps: 0,
            maint_asset_weight_bps: 0,
            init_liab_weight_bps: 0,
            maint_liab_weight_bps: 0,
        };
        GroupConfig {
            liquidation_bonus_ramp_secs: 3_600,
            insurance_share_bps: 2_000,
            dust_value: 10_000,
            z_init_bps: 0,
            z_maint_bps: 0,
            correlation_groups: [NO_GROUP; 8],
            timelock_delay_secs: 0,
            padding: [0; 4],
        }
    }

    /// The engine's account-independent parameters.
    pub fn health_params(&self) -> HealthParams {
        let mut correlation = [None; MAX_CORRELATION_GROUPS];
        for (slot, g) in correlation.iter_mut().zip(self.correlation_groups.iter()) {
            if g.is_used() {
                *slot = Some(CorrelationWeights {
                    weights: AssetWeights {
                        init_asset: from_bps(g.init_asset_weight_bps),
                        maint_asset: from_bps(g.maint_asset_weight_bps),
                        init_liab: from_bps(g.init_liab_weight_bps),
                        maint_liab: from_bps(g.maint_liab_weight_bps),
                    },
                });
            }
        }
        HealthParams { z_init: from_bps(self.z_init_bps), z_maint: from_bps(self.z_maint_bps), correlation }
    }
}

pub const GROUP_SEED: &[u8] = b"group";

impl Group {
    pub const SIZE: usize = 8 + core::mem::size_of::<Group>();

    /// Whether the group-wide pause blocks `action` (a `PAUSE_*` bit) at `now`.
    pub fn pause_blocks(&self, action: u8, now: i64) -> bool {
        self.pause.blocks(action, now)
    }

    /// Whether `action` (`PAUSE_DEPOSIT`, `PAUSE_WITHDRAW` or `PAUSE_BORROW`) on `asset` is open at
    /// `now`: not paused group-wide or on the asset, the asset not frozen, and for deposits and
    /// borrows not reduce-only. Repay and liquidation are never refused here. The one rule for the
    /// handlers and for clients' max amounts.
    pub fn check_open(&self, asset: &crate::state::Asset, action: u8, now: i64) -> Result<()> {
        use crate::error::BallastError;
        use crate::risk::governance::{PAUSE_BORROW, PAUSE_DEPOSIT};
        require!(!self.pause_blocks(action, now), BallastError::GroupPaused);
        require!(!asset.config.is_frozen(), BallastError::AssetFrozen);
        require!(!asset.pause_blocks(action, now), BallastError::AssetPaused);
        if action == PAUSE_DEPOSIT || action == PAUSE_BORROW {
            require!(!asset.config.is_reduce_only(), BallastError::AssetReduceOnly);
        }
        Ok(())
    }
}

const _: () = assert!(core::mem::size_of::<PauseBits>() == 24);
const _: () = assert!(core::mem::size_of::<GroupConfig>() == 16 + 8 + 16 * 8 + 8);
const _: () = assert!(core::mem::size_of::<Group>() == 32 * 3 + 8 + 8 + 24 + 160 + 64);
const _: () = assert!(core::mem::align_of::<Group>() <= 8);
