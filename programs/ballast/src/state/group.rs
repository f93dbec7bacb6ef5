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
    pub reserved: [u8; 256],
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

const _: () = assert!(core::mem::size_of::<Group>() == 32 + 32 + 8 + 256);
const _: () = assert!(core::mem::align_of::<Group>() <= 8);
