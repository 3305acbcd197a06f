//! Service staff (spec §5): who may do what in the console.

use serde::{Deserialize, Serialize};

/// A staff member's role: `reviewer` judges verification videos, `service` handles
/// claims. Every staff route requires one of them (the device page either).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reviewer,
    Service,
}

crate::wire_names!(Role {
    Reviewer => "reviewer",
    Service => "service",
});
