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
    pub reserved: [u8; 240],
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

const _: () = assert!(core::mem::size_of::<GroupConfig>() == 16);
const _: () = assert!(core::mem::size_of::<Group>() == 32 + 32 + 8 + 256);
const _: () = assert!(core::mem::align_of::<Group>() <= 8);
