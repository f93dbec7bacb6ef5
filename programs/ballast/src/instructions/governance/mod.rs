//! The admin and the risk guardian: groups, assets, markets, parameter patches (at once or through the
//! timelock), the admin handover, pauses.

pub mod accept_admin;
pub mod apply_asset_patch;
pub mod apply_group_patch;
pub mod apply_market_patch;
pub mod cancel_proposal;
pub mod clear_expired_pause;
pub mod execute_proposal;
pub mod init_group;
pub mod patching;
pub mod pause;
pub mod propose_admin;
pub mod propose_patch;
pub mod register_asset;
pub mod register_market;
pub mod unpause;

pub use accept_admin::*;
pub use apply_asset_patch::*;
pub use apply_group_patch::*;
pub use apply_market_patch::*;
pub use cancel_proposal::*;
pub use clear_expired_pause::*;
pub use execute_proposal::*;
pub use init_group::*;
pub use pause::*;
pub use propose_admin::*;
pub use propose_patch::*;
pub use register_asset::*;
pub use register_market::*;
pub use unpause::*;
