//! Errors the CLI reports, and the program's error codes turned back into names and messages.

use ballast_sdk::ballast::error::BallastError;
use ballast_sdk::SdkError;
use serde::Serialize;

/// Every `BallastError` variant in declaration order: Anchor gives variant N the custom code
/// 6000 + N (a test checks the order against the enum's own discriminants).
pub const BALLAST_ERRORS: &[BallastError] = {
    use BallastError::*;
    &[
        MathOverflow,
        NotAdmin,
        NotOwner,
        NotOwnerOrDelegate,
        WrongGroup,
        WrongMint,
        WrongVault,
        WrongTokenProgram,
        ZeroAmount,
        GroupPaused,
        AssetPaused,
        AssetReduceOnly,
        DepositCapExceeded,
        BorrowCapExceeded,
        NoFreePositionSlot,
        NoDeposit,
        InsufficientDeposit,
        NoBorrow,
        RepayExceedsDebt,
        DepositOnBorrowedAsset,
        BorrowOnDepositedAsset,
        InsufficientLiquidity,
        InsufficientHealth,
        BeingLiquidated,
        AccountNotEmpty,
        InvalidHealthAccounts,
        OracleWrongOwner,
        OracleMismatch,
        OracleFeedIdMismatch,
        OracleNotFullyVerified,
        OracleInvalidData,
        LiabilityOracleUnusable,
        OracleStale,
        OracleConfidenceTooWide,
        OracleEmaDeviation,
        OracleNonPositivePrice,
        InvalidOracleKind,
        InvalidAssetWeights,
        InvalidLiabilityWeights,
        InvalidLiquidationFee,
        InvalidRateCurve,
        InvalidProtocolFee,
        InvalidOracleLimits,
        InvalidOracleConfig,
        UnsupportedMintExtension,
        InvalidFlags,
        InvalidGroupConfig,
        NotLiquidatable,
        NotALiability,
        NoLiquidatableCollateral,
        BonusBelowMinimum,
        HealthNotImproved,
        LiquidatorInsufficientHealth,
        SelfLiquidation,
        NotBankrupt,
        AssetNotWritable,
        InvalidVolatilityParams,
        InvalidFactorParams,
        InvalidCorrelationGroup,
        VolatilitySampleTooSoon,
        DuplicateHealthAccount,
        OracleReadingRegressed,
        OraclePriceBelowResolution,
        VolatilityReadingAlreadySampled,
        UnsupportedMintDecimals,
        NotAdminOrGuardian,
    ]
};

/// A custom program error code with what is known about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramErrorInfo {
    pub code: u32,
    /// Who defines the code: "ballast", "anchor" or "spl-token".
    pub source: &'static str,
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for ProgramErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} error {}): {}", self.name, self.source, self.code, self.message)
    }
}

/// Anchor framework errors a client is likely to meet (the full list is in anchor-lang-error).
const ANCHOR_ERRORS: &[(u32, &str, &str)] = &[
    (100, "InstructionMissing", "Instruction discriminator not provided"),
    (101, "InstructionFallbackNotFound", "Fallback functions are not supported"),
    (102, "InstructionDidNotDeserialize", "The program could not deserialize the given instruction"),
    (2000, "ConstraintMut", "A mut constraint was violated"),
    (2001, "ConstraintHasOne", "A has one constraint was violated"),
    (2002, "ConstraintSigner", "A signer constraint was violated"),
    (2003, "ConstraintRaw", "A raw constraint was violated"),
    (2004, "ConstraintOwner", "An owner constraint was violated"),
    (2006, "ConstraintSeeds", "A seeds constraint was violated"),
    (2012, "ConstraintAddress", "An address constraint was violated"),
    (2014, "ConstraintTokenMint", "A token mint constraint was violated"),
    (2015, "ConstraintTokenOwner", "A token owner constraint was violated"),
    (2021, "ConstraintTokenTokenProgram", "A token account token program constraint was violated"),
    (2022, "ConstraintMintTokenProgram", "A mint token program constraint was violated"),
    (3001, "AccountDiscriminatorNotFound", "No discriminator was found on the account"),
    (3002, "AccountDiscriminatorMismatch", "Account discriminator did not match what was expected"),
    (3003, "AccountDidNotDeserialize", "Failed to deserialize the account"),
    (3005, "AccountNotEnoughKeys", "Not enough account keys given to the instruction"),
    (3006, "AccountNotMutable", "The given account is not mutable"),
    (3007, "AccountOwnedByWrongProgram", "The given account is owned by a different program than expected"),
    (3008, "InvalidProgramId", "Program ID was not as expected"),
    (3010, "AccountNotSigner", "The given account did not sign"),
    (3011, "AccountNotSystemOwned", "The given account is not owned by the system program"),
    (3012, "AccountNotInitialized", "The program expected this account to be already initialized"),
];

/// Names a custom program error code: 6000 + N is `BallastError` variant N, 100..6000 are
/// Anchor's framework errors, and small codes come from the SPL Token program (Ballast's token
/// transfers run inside it, so its errors surface as the instruction's).
pub fn describe_code(code: u32) -> Option<ProgramErrorInfo> {
    let offset = anchor_lang::error::ERROR_CODE_OFFSET;
    if code >= offset {
        let e = BALLAST_ERRORS.get((code - offset) as usize)?;
        return Some(ProgramErrorInfo { code, source: "ballast", name: e.name(), message: e.to_string() });
    }
    if let Some((_, name, msg)) = ANCHOR_ERRORS.iter().find(|(c, _, _)| *c == code) {
        return Some(ProgramErrorInfo {
            code,
            source: "anchor",
            name: name.to_string(),
            message: msg.to_string(),
        });
    }
    let token = spl_token_interface::error::TokenError::try_from(code).ok()?;
    Some(ProgramErrorInfo {
        code,
        source: "spl-token",
        name: format!("{token:?}"),
        message: token.to_string(),
    })
}

/// Finds the custom error code in a transport's error text: JSON-RPC says
/// `custom program error: 0x1776`, the in-process BanksClient `Custom(6006)`.
pub fn find_custom_code(text: &str) -> Option<u32> {
    if let Some(i) = text.find("custom program error: 0x") {
        let hex: String = text[i + 24..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        return u32::from_str_radix(&hex, 16).ok();
    }
    let i = text.find("Custom(")?;
    let dec: String = text[i + 7..].chars().take_while(|c| c.is_ascii_digit()).collect();
    dec.parse().ok()
}

#[derive(Debug)]
pub enum CliError {
    /// The program refused a transaction with a custom error.
    Program { info: ProgramErrorInfo, detail: String },
    /// A transaction failed for another reason (signature, funds, transport, runtime).
    Transaction(String),
    /// Reading the chain failed or returned something unexpected.
    Sdk(SdkError),
    /// The user asked for something that cannot be done as asked.
    Input(String),
    /// A file could not be read or parsed.
    File { path: String, message: String },
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    pub fn input(msg: impl Into<String>) -> CliError {
        CliError::Input(msg.into())
    }

    /// The program error, if the program refused the transaction.
    pub fn program_error(&self) -> Option<&ProgramErrorInfo> {
        match self {
            CliError::Program { info, .. } => Some(info),
            _ => None,
        }
    }

    /// A short machine-readable kind, for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Program { .. } => "program",
            CliError::Transaction(_) => "transaction",
            CliError::Sdk(_) => "chain",
            CliError::Input(_) => "input",
            CliError::File { .. } => "file",
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Program { info, .. } => write!(f, "the program refused the transaction: {info}"),
            CliError::Transaction(m) => write!(f, "transaction failed: {m}"),
            CliError::Sdk(e) => write!(f, "{e}"),
            CliError::Input(m) => write!(f, "{m}"),
            CliError::File { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<SdkError> for CliError {
    fn from(e: SdkError) -> CliError {
        match e {
            SdkError::Program(text) => match find_custom_code(&text).and_then(describe_code) {
                Some(info) => CliError::Program { info, detail: text },
                None => CliError::Transaction(text),
            },
            SdkError::Config(message) => CliError::Input(message),
            other => CliError::Sdk(other),
        }
    }
}

/// An Anchor error from code the program shares with clients (validation), named like the
/// program would name it.
pub fn from_anchor(e: anchor_lang::error::Error) -> CliError {
    match e {
        anchor_lang::error::Error::AnchorError(a) => CliError::Program {
            info: ProgramErrorInfo {
                code: a.error_code_number,
                source: "ballast",
                name: a.error_name.clone(),
                message: a.error_msg.clone(),
            },
            detail: "checked locally before sending".into(),
        },
        other => CliError::Input(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_sits_at_its_code() {
        for (i, e) in BALLAST_ERRORS.iter().enumerate() {
            assert_eq!(*e as u32, i as u32, "{}", e.name());
        }
        // the last variant is the last entry (nothing appended to the enum and missed here)
        assert_eq!(BallastError::NotAdminOrGuardian as usize, BALLAST_ERRORS.len() - 1);
    }

    #[test]
    fn decodes_both_transports() {
        let rpc = "RPC response error -32002: Transaction simulation failed: Error processing \
                   Instruction 0: custom program error: 0x1786; 3 log messages";
        assert_eq!(find_custom_code(rpc), Some(0x1786));
        let info = describe_code(0x1786).unwrap();
        assert_eq!(info.name, "InsufficientHealth");
        assert_eq!(info.message, "initial health would fall below zero");
        let banks = "TransactionError(InstructionError(0, Custom(6001)))";
        assert_eq!(describe_code(find_custom_code(banks).unwrap()).unwrap().name, "NotAdmin");
        assert_eq!(describe_code(1).unwrap().name, "InsufficientFunds");
        assert_eq!(describe_code(3012).unwrap().source, "anchor");
        assert_eq!(describe_code(6000 + 500), None);
    }
}
