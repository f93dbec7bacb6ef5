//! The admin (and the guardian, where it may act): groups, assets, parameters, pauses.

pub mod init_group;
pub mod register_asset;
pub mod set_group_paused;
pub mod update_asset;
pub mod update_group;

pub use init_group::*;
pub use register_asset::*;
pub use set_group_paused::*;
pub use update_asset::*;
pub use update_group::*;
