//! One file per instruction: its Accounts struct and its handler.

pub mod borrow;
pub mod close_account;
pub mod create_account;
pub mod deposit;
pub mod health_report;
pub mod init_group;
pub mod liquidate;
pub mod register_asset;
pub mod repay;
pub mod resolve_bankruptcy;
pub mod set_delegate;
pub mod set_group_paused;
pub mod token_accounts;
pub mod update_asset;
pub mod update_group;
pub mod update_volatility;
pub mod withdraw;

pub use borrow::*;
pub use close_account::*;
pub use create_account::*;
pub use deposit::*;
pub use health_report::*;
pub use init_group::*;
pub use liquidate::*;
pub use register_asset::*;
pub use repay::*;
pub use resolve_bankruptcy::*;
pub use set_delegate::*;
pub use set_group_paused::*;
pub use token_accounts::*;
pub use update_asset::*;
pub use update_group::*;
pub use update_volatility::*;
pub use withdraw::*;
