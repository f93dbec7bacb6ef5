//! Compute-unit measurement for the SBF lane (`TestEnv::send_with_metadata`, the benches).

use anchor_lang::prelude::Pubkey;
use solana_instruction::Instruction;

use crate::sbf_so_dir;

pub const COMPUTE_BUDGET: Pubkey = Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// Whether the program runs from an SBF build (see `TestEnv::new`).
pub fn is_sbf() -> bool {
    sbf_so_dir().is_some()
}

/// What `send_with_metadata` measured.
#[derive(Clone, Debug)]
pub struct SendMetadata {
    /// Compute units of each top-level Ballast instruction, in order.
    pub program_units: Vec<u64>,
    /// Compute units of the whole transaction.
    pub total_units: u64,
    pub logs: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct SendFailure {
    pub error: String,
    pub logs: Vec<String>,
}

/// ComputeBudget `SetComputeUnitLimit(units)`, encoded by hand (tag 2, then the limit).
pub fn set_compute_unit_limit_ix(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: COMPUTE_BUDGET, accounts: vec![], data }
}

/// Compute units of each top-level invocation of `program` in a transaction's logs.
pub fn program_compute_units(logs: &[String], program: &Pubkey) -> Vec<u64> {
    let invoke = format!("Program {program} invoke [1]");
    let consumed = format!("Program {program} consumed ");
    let mut out = vec![];
    let mut depth_one = false;
    for line in logs {
        if line == &invoke {
            depth_one = true;
        } else if depth_one && line.starts_with(&consumed) {
            // "... consumed N of M compute units"; the program never calls itself, so the first
            // such line after its top-level invoke is its own (CPIs it makes log other ids).
            if let Some(n) = line[consumed.len()..].split(' ').next().and_then(|n| n.parse().ok()) {
                out.push(n);
                depth_one = false;
            }
        }
    }
    out
}
