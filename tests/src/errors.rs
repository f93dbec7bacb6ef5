//! Matching a failed transaction to the `BallastError` it should have failed with.

use crate::{BallastError, TxResult};

/// The custom error code Anchor gives a `BallastError`.
pub fn code(e: BallastError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// The custom program error of a failed transaction, if it was one.
pub fn custom_error(result: &TxResult) -> Option<u32> {
    use solana_instruction::error::InstructionError;
    use solana_program_test::BanksClientError::TransactionError;
    match result {
        Err(TransactionError(solana_transaction::TransactionError::InstructionError(
            _,
            InstructionError::Custom(c),
        ))) => Some(*c),
        _ => None,
    }
}

#[track_caller]
pub fn assert_ballast_error(result: &TxResult, expected: BallastError) {
    assert_eq!(
        custom_error(result),
        Some(code(expected)),
        "expected {expected:?} ({}), got {result:?}",
        code(expected)
    );
}
