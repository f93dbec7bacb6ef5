//! A timelocked parameter change: the patch, what it targets, and when it may run.

use anchor_lang::prelude::borsh::{BorshDeserialize, BorshSerialize};
use anchor_lang::prelude::*;

pub const PROPOSAL_SEED: &[u8] = b"proposal";
/// Most entries one patch can hold (an asset has 35 fields; a real change touches a few).
pub const MAX_PATCH_ENTRIES: usize = 16;

/// One field of a patch: `field` is a `risk::governance::AssetField`, `GroupField` or
/// `MarketField` id (by the target); `value` is 32 bytes, little-endian for numbers (see `governance::FieldValue`).
#[zero_copy]
// borsh for instruction data; the IDL's type comes from `zero_copy` (Anchor's serde derives
// would define it a second time under `idl-build`)
#[derive(Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct PatchEntry {
    pub field: u16,
    pub padding: [u8; 6],
    pub value: [u8; 32],
}

impl PatchEntry {
    pub fn new(field: u16, value: [u8; 32]) -> PatchEntry {
        PatchEntry { field, padding: [0; 6], value }
    }
}

/// What a proposal changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ProposalTarget {
    Group = 0,
    Asset = 1,
    Market = 2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ProposalStatus {
    Pending = 0,
    Executed = 1,
    Cancelled = 2,
}

/// A loosening (or any change) proposed by the admin, executable by anyone from `eta` until
/// `eta + PROPOSAL_GRACE_SECS`, cancellable by the admin or the guardian until then. Kept after
/// it runs or is cancelled, as the record of what governance did.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Proposal {
    pub group: Pubkey,
    /// The Asset or Market account the patch changes, or the group itself.
    pub target: Pubkey,
    pub proposer: Pubkey,
    /// Who executed or cancelled it (zero while pending).
    pub closed_by: Pubkey,
    pub proposal_num: u64,
    pub created_ts: i64,
    /// Earliest execution time: `created_ts` + the group's timelock delay at proposal time.
    pub eta: i64,
    /// When it was executed or cancelled (0 while pending).
    pub closed_ts: i64,
    /// `ProposalTarget as u8`.
    pub target_kind: u8,
    /// `ProposalStatus as u8`.
    pub status: u8,
    pub entry_count: u8,
    pub bump: u8,
    pub padding: [u8; 4],
    pub entries: [PatchEntry; MAX_PATCH_ENTRIES],
    /// Each entry's field value when proposed: execution is refused (`ProposalStale`) if any
    /// changed since, so an old proposal cannot undo a later change (an emergency tightening).
    pub old_values: [[u8; 32]; MAX_PATCH_ENTRIES],
    pub reserved: [u8; 64],
}

pub const PROPOSAL_SIZE: usize = 8 + core::mem::size_of::<Proposal>();
const _: () = assert!(core::mem::size_of::<PatchEntry>() == 40);
const _: () =
    assert!(core::mem::size_of::<Proposal>() == 32 * 4 + 8 * 4 + 8 + (40 + 32) * MAX_PATCH_ENTRIES + 64);

impl Proposal {
    pub fn entries(&self) -> &[PatchEntry] {
        &self.entries[..usize::from(self.entry_count).min(MAX_PATCH_ENTRIES)]
    }

    pub fn status(&self) -> ProposalStatus {
        match self.status {
            1 => ProposalStatus::Executed,
            2 => ProposalStatus::Cancelled,
            _ => ProposalStatus::Pending,
        }
    }

    pub fn target_kind(&self) -> ProposalTarget {
        match self.target_kind {
            1 => ProposalTarget::Asset,
            2 => ProposalTarget::Market,
            _ => ProposalTarget::Group,
        }
    }
}
