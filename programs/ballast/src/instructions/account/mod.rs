//! The owner's account lifecycle: create, close, delegate.

pub mod close_account;
pub mod create_account;
pub mod set_delegate;

pub use close_account::*;
pub use create_account::*;
pub use set_delegate::*;
