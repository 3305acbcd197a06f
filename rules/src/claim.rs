//! Claims (spec §5): the service workflow from filing to shipping. R10 (Care Refresh
//! eligibility) and the fee are the coverage's business; this module says which step
//! may follow which.

use crate::refusal::Refusal;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Filed by the owner.
    Submitted,
    /// Staff got the device.
    Received,
    /// A repair price is known; the owner chooses.
    Quoted,
    /// The owner chose; the repair or the Care Refresh fee is due.
    AwaitingPayment,
    Paid,
    /// Sent back: repaired, or a replacement unit.
    Shipped,
    Closed,
    /// Staff ruled a warranty case: no charge, no replacement used.
    Warranty,
    Declined,
    /// Paid, then refunded before shipping: final.
    Refunded,
}

/// What the owner chooses once quoted.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimOption {
    /// Pay the quoted repair.
    Repair,
    /// Pay the Care Refresh fee for a replacement (R10).
    CareRefresh,
}

/// A step of the workflow.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClaimStep {
    #[serde(rename = "receive")]
    Receive,
    #[serde(rename = "quote")]
    Quote,
    #[serde(rename = "warranty")]
    Warranty,
    #[serde(rename = "decline")]
    Decline,
    #[serde(rename = "choice")]
    Choose,
    #[serde(rename = "payment")]
    Pay,
    #[serde(rename = "ship")]
    Ship,
    #[serde(rename = "close")]
    Close,
    #[serde(rename = "refund")]
    Refund,
}

impl ClaimStatus {
    /// The status after `step`, or `invalid_state` when the step cannot follow.
    pub fn after(self, step: ClaimStep) -> Result<ClaimStatus, Refusal> {
        use ClaimStatus::*;
        use ClaimStep as S;
        match (self, step) {
            (Submitted, S::Receive) => Ok(Received),
            (Received, S::Quote) => Ok(Quoted),
            (Submitted | Received | Quoted, S::Warranty) => Ok(Warranty),
            (Submitted | Received | Quoted, S::Decline) => Ok(Declined),
            (Quoted, S::Choose) => Ok(AwaitingPayment),
            (AwaitingPayment, S::Pay) => Ok(Paid),
            // Repaired or replaced (paid), repaired under warranty, or returned unrepaired.
            (Paid | Warranty | Declined, S::Ship) => Ok(Shipped),
            (Shipped, S::Close) => Ok(Closed),
            // Paid but not shipped: the whole amount goes back.
            (Paid, S::Refund) => Ok(Refunded),
            _ => Err(Refusal::InvalidState),
        }
    }

    /// The steps staff can take now (the owner's choice is not one).
    /// Whether nothing more happens to the claim: closed, or refunded before shipping.
    pub fn is_final(self) -> bool {
        matches!(self, ClaimStatus::Closed | ClaimStatus::Refunded)
    }

    pub fn staff_steps(self) -> Vec<ClaimStep> {
        [
            ClaimStep::Receive,
            ClaimStep::Quote,
            ClaimStep::Warranty,
            ClaimStep::Decline,
            ClaimStep::Pay,
            ClaimStep::Ship,
            ClaimStep::Close,
            ClaimStep::Refund,
        ]
        .into_iter()
        .filter(|s| self.after(*s).is_ok())
        .collect()
    }
}

crate::wire_names!(ClaimStatus {
    Submitted => "submitted",
    Received => "received",
    Quoted => "quoted",
    AwaitingPayment => "awaiting_payment",
    Paid => "paid",
    Shipped => "shipped",
    Closed => "closed",
    Warranty => "warranty",
    Declined => "declined",
    Refunded => "refunded",
});

crate::wire_names!(ClaimOption {
    Repair => "repair",
    CareRefresh => "care_refresh",
});

// The names of the steps in the API (`POST /api/staff/claims/{id}/{step}`).
crate::wire_names!(ClaimStep {
    Receive => "receive",
    Quote => "quote",
    Warranty => "warranty",
    Decline => "decline",
    Choose => "choice",
    Pay => "payment",
    Ship => "ship",
    Close => "close",
    Refund => "refund",
});

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimStatus::*;

    #[test]
    fn the_happy_path_runs_from_filing_to_closing() {
        let steps = [
            ClaimStep::Receive,
            ClaimStep::Quote,
            ClaimStep::Choose,
            ClaimStep::Pay,
            ClaimStep::Ship,
            ClaimStep::Close,
        ];
        let mut status = Submitted;
        let mut seen = vec![status];
        for step in steps {
            status = status.after(step).expect("allowed");
            seen.push(status);
        }
        assert_eq!(
            seen,
            [
                Submitted,
                Received,
                Quoted,
                AwaitingPayment,
                Paid,
                Shipped,
                Closed
            ]
        );
    }

    #[test]
    fn only_closed_and_refunded_claims_are_final() {
        for status in [
            Submitted,
            Received,
            Quoted,
            AwaitingPayment,
            Paid,
            Shipped,
            Warranty,
            Declined,
        ] {
            assert!(!status.is_final(), "{status:?}");
        }
        assert!(Closed.is_final());
        assert!(Refunded.is_final());
    }

    #[test]
    fn warranty_and_decline_end_in_a_return_shipment() {
        assert_eq!(Received.after(ClaimStep::Warranty), Ok(Warranty));
        assert_eq!(Warranty.after(ClaimStep::Ship), Ok(Shipped));
        assert_eq!(Quoted.after(ClaimStep::Decline), Ok(Declined));
        assert_eq!(Declined.after(ClaimStep::Ship), Ok(Shipped));
        assert_eq!(Warranty.after(ClaimStep::Pay), Err(Refusal::InvalidState));
    }

    #[test]
    fn every_step_outside_its_states_is_refused() {
        let allowed: usize = ClaimStatus::ALL
            .iter()
            .map(|status| {
                ClaimStep::ALL
                    .iter()
                    .filter(|step| status.after(**step).is_ok())
                    .count()
            })
            .sum();
        // 1 receive + 1 quote + 3 warranty + 3 decline + 1 choose + 1 pay + 3 ship + 1 close
        // + 1 refund.
        assert_eq!(allowed, 15);
        assert_eq!(
            Submitted.after(ClaimStep::Quote),
            Err(Refusal::InvalidState)
        );
        assert_eq!(Quoted.after(ClaimStep::Pay), Err(Refusal::InvalidState));
        assert_eq!(Paid.after(ClaimStep::Choose), Err(Refusal::InvalidState));
        assert_eq!(Closed.after(ClaimStep::Ship), Err(Refusal::InvalidState));
    }

    #[test]
    fn only_a_paid_claim_not_yet_shipped_is_refunded_and_that_is_final() {
        assert_eq!(Paid.after(ClaimStep::Refund), Ok(Refunded));
        assert_eq!(Shipped.after(ClaimStep::Refund), Err(Refusal::InvalidState));
        assert_eq!(
            AwaitingPayment.after(ClaimStep::Refund),
            Err(Refusal::InvalidState)
        );
        assert!(
            ClaimStep::ALL
                .iter()
                .all(|step| Refunded.after(*step).is_err())
        );
        assert!(Paid.staff_steps().contains(&ClaimStep::Refund));
    }

    #[test]
    fn staff_steps_follow_the_status() {
        assert_eq!(
            Submitted.staff_steps(),
            [ClaimStep::Receive, ClaimStep::Warranty, ClaimStep::Decline]
        );
        assert_eq!(AwaitingPayment.staff_steps(), [ClaimStep::Pay]);
        assert!(Closed.staff_steps().is_empty());
        crate::wire::assert_serde_agrees(ClaimStatus::ALL, ClaimStatus::as_str);
        crate::wire::assert_serde_agrees(ClaimOption::ALL, ClaimOption::as_str);
        crate::wire::assert_serde_agrees(ClaimStep::ALL, ClaimStep::as_str);
        for &status in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(status.as_str()), Some(status));
        }
    }
}
