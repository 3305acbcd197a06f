//! Claims for owners: file one (`/claims/new`), then follow it by its link
//! (`/claims/{id}`): the timeline, the quote beside the Care Refresh fee with the
//! choice, payment instructions, and tracking once shipped.

pub mod api;
mod pages;

pub use pages::{ClaimPage, FileClaim};

use crate::i18n::*;
use care_rules::ClaimStatus;
use leptos_i18n::I18nContext;

/// A claim's state in the reader's language, for the owner's page and the console.
pub fn status_text(i18n: I18nContext<Locale>, status: ClaimStatus) -> String {
    match status {
        ClaimStatus::Submitted => t_string!(i18n, claim_status_submitted),
        ClaimStatus::Received => t_string!(i18n, claim_status_received),
        ClaimStatus::Quoted => t_string!(i18n, claim_status_quoted),
        ClaimStatus::AwaitingPayment => t_string!(i18n, claim_status_awaiting_payment),
        ClaimStatus::Paid => t_string!(i18n, claim_status_paid),
        ClaimStatus::Shipped => t_string!(i18n, claim_status_shipped),
        ClaimStatus::Closed => t_string!(i18n, claim_status_closed),
        ClaimStatus::Warranty => t_string!(i18n, claim_status_warranty),
        ClaimStatus::Declined => t_string!(i18n, claim_status_declined),
    }
    .to_string()
}
