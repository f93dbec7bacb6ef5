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

impl crate::TestEnv {
    /// Sends `ixs` signed by the payer and `signers`, and asserts that it fails with `expected`
    /// and that `keys` are byte-for-byte unchanged.
    pub async fn assert_send_refused(
        &mut self,
        ixs: &[solana_instruction::Instruction],
        signers: &[&solana_keypair::Keypair],
        expected: BallastError,
        keys: &[anchor_lang::prelude::Pubkey],
    ) {
        let before = self.snapshot(keys).await;
        let r = self.send(ixs, signers).await;
        assert_ballast_error(&r, expected);
        assert_eq!(self.snapshot(keys).await, before, "{expected:?} changed state");
    }
}
