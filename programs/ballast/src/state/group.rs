use crate::math::from_bps;
use crate::risk::{AssetWeights, CorrelationWeights, HealthParams, MAX_CORRELATION_GROUPS};
use anchor_lang::prelude::*;

/// A group is one margin venue: its assets and margin accounts belong to it, and its admin
/// (expected to be a multisig or DAO PDA) governs them.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Group {
    /// Governance authority: lists assets and changes parameters.
    pub admin: Pubkey,
    /// May only tighten parameters and pause (wired up by the governance work).
    pub risk_guardian: Pubkey,
    /// Number of assets registered; the next asset gets this index.
    pub asset_count: u16,
    pub group_num: u16,
    pub bump: u8,
    /// `GROUP_FLAG_*` bits.
    pub flags: u8,
    pub padding: [u8; 2],
    pub config: GroupConfig,
    pub reserved: [u8; 104],
}

/// Group-wide liquidation settings.
#[zero_copy]
#[derive(Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
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
}

/// Weights that the matched part of a correlation group's positions uses.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
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
    /// hour, 20% of every bonus to the insurance fund, dust of one cent (10_000 micro-USD), and
    /// the volatility factor (z = 0) and every correlation group off.
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

/// All risk-increasing actions (withdraw, borrow) and deposits are refused while set.
pub const GROUP_FLAG_PAUSED: u8 = 1 << 0;

pub const GROUP_SEED: &[u8] = b"group";

impl Group {
    pub const SIZE: usize = 8 + core::mem::size_of::<Group>();

    pub fn is_paused(&self) -> bool {
        self.flags & GROUP_FLAG_PAUSED != 0
    }
}

const _: () = assert!(core::mem::size_of::<GroupConfig>() == 16 + 8 + 16 * 8);
const _: () = assert!(core::mem::size_of::<Group>() == 32 + 32 + 8 + 256);
const _: () = assert!(core::mem::align_of::<Group>() <= 8);
