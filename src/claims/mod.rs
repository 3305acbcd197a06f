//! Claims for owners: file one (`/claims/new`, [`file`]), then follow it by its link
//! (`/claims/{id}`, [`page`]): where to send the device, the quote beside the Care
//! Refresh fee with the choice, payment instructions, tracking once shipped.

pub mod api;
mod file;
mod page;
mod pay;
mod stripe_js;

pub use file::FileClaim;
pub use page::ClaimPage;

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
        ClaimStatus::Refunded => t_string!(i18n, claim_status_refunded),
    }
    .to_string()
}

/// The badge class of a claim's state: what it means for the owner (being handled,
/// waiting for them, done well, refused).
pub fn status_class(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Submitted | ClaimStatus::Received | ClaimStatus::Quoted => "status info",
        ClaimStatus::AwaitingPayment => "status warning",
        ClaimStatus::Paid | ClaimStatus::Shipped | ClaimStatus::Closed | ClaimStatus::Warranty => {
            "status success"
        }
        ClaimStatus::Declined => "status danger",
        ClaimStatus::Refunded => "status info",
    }
}
