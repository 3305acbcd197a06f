//! A coverage: one continuous chain of terms on a device (R5-R9), with the
//! replacements used in it.

use crate::catalog::{Plan, Product};
use crate::money::Money;
use crate::refusal::Refusal;
use crate::term::Term;
use crate::time::{
    CAP_MONTHS, EXTENSION_GRACE, Timestamp, WARRANTY_REWARD_MONTHS, add_months, after,
};
use serde::{Deserialize, Serialize};

/// Where a coverage stands at an instant (the `status` of the coverage document).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Running, replacements left.
    Active,
    /// Running, none left.
    Exhausted,
    /// Ended less than 15 days ago: it can still be extended.
    Grace,
    /// Ended longer ago.
    Expired,
    /// Never had a plan.
    None,
}

crate::wire_names!(CoverageStatus {
    Active => "active",
    Exhausted => "exhausted",
    Grace => "grace",
    Expired => "expired",
    None => "none",
});

/// The warranty reward's state (R9).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyReward {
    Projected,
    Granted,
    Forfeited,
    NotApplicable,
}

crate::wire_names!(WarrantyReward {
    Projected => "projected",
    Granted => "granted",
    Forfeited => "forfeited",
    NotApplicable => "not_applicable",
});

/// A chain of continuous terms: each starts where the one before ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    terms: Vec<Term>,
    used: u32,
}

impl Coverage {
    /// A new chain of one term (first activation, or a new chain after a lapse: R13).
    pub fn begin(first: Term) -> Coverage {
        Coverage {
            terms: vec![first],
            used: 0,
        }
    }

    /// Rebuilds a stored chain; `None` when it has no term.
    pub fn restore(terms: Vec<Term>, used: u32) -> Option<Coverage> {
        if terms.is_empty() {
            None
        } else {
            Some(Coverage { terms, used })
        }
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    fn first(&self) -> &Term {
        // `begin` and `restore` never build an empty chain.
        &self.terms[0]
    }

    fn last(&self) -> &Term {
        &self.terms[self.terms.len() - 1]
    }

    pub fn starts_at(&self) -> Timestamp {
        self.first().starts_at
    }

    pub fn ends_at(&self) -> Timestamp {
        self.last().ends_at
    }

    /// The latest end any extension may reach (R6).
    pub fn cap_ends_at(&self) -> Timestamp {
        add_months(self.starts_at(), CAP_MONTHS)
    }

    /// The instant the extension window closes (R5): 15 days after the end.
    pub fn extension_deadline(&self) -> Timestamp {
        after(self.ends_at(), EXTENSION_GRACE)
    }

    pub fn runs_at(&self, now: Timestamp) -> bool {
        now < self.ends_at()
    }

    /// Replacements the chain's terms grant together (R7).
    pub fn total(&self) -> u32 {
        self.terms.iter().map(|t| t.replacements).sum()
    }

    pub fn used(&self) -> u32 {
        self.used
    }

    /// Replacements left: total − used while the coverage runs, 0 once it has ended.
    pub fn remaining(&self, now: Timestamp) -> u32 {
        if self.runs_at(now) {
            self.total().saturating_sub(self.used)
        } else {
            0
        }
    }

    pub fn status(&self, now: Timestamp) -> CoverageStatus {
        if self.runs_at(now) {
            if self.remaining(now) > 0 {
                CoverageStatus::Active
            } else {
                CoverageStatus::Exhausted
            }
        } else if now < self.extension_deadline() {
            CoverageStatus::Grace
        } else {
            CoverageStatus::Expired
        }
    }

    /// The fee of the next replacement, when one is left (R8: numbered across the chain).
    pub fn next_fee(&self, product: &Product, now: Timestamp) -> Option<Money> {
        (self.remaining(now) > 0).then(|| product.fee(self.used + 1))
    }

    /// The term a code of `plan` would add (R5, R6), or why it cannot.
    pub fn extension(&self, plan: Plan, now: Timestamp) -> Result<Term, Refusal> {
        if now >= self.extension_deadline() {
            return Err(Refusal::ExtensionWindowClosed);
        }
        if plan != Plan::Annual {
            return Err(Refusal::ExtensionRequiresAnnualPlan);
        }
        let term = Term::new(plan, self.ends_at());
        if term.ends_at > self.cap_ends_at() {
            return Err(Refusal::CoverageCapExceeded);
        }
        Ok(term)
    }

    /// Adds a term that [`Coverage::extension`] allowed.
    pub fn extend(&mut self, term: Term) {
        self.terms.push(term);
    }

    /// Care Refresh for a claim filed at `filed_at` (R10): allowed when the coverage ran
    /// then and a replacement is still unused now, whatever has happened to the end
    /// since. Returns the fee of that replacement.
    pub fn care_refresh(&self, product: &Product, filed_at: Timestamp) -> Result<Money, Refusal> {
        if !self.runs_at(filed_at) || filed_at < self.starts_at() {
            return Err(Refusal::CoverageNotActive);
        }
        if self.used >= self.total() {
            return Err(Refusal::NoReplacementsLeft);
        }
        Ok(product.fee(self.used + 1))
    }

    /// Counts a paid replacement (R7, R10), checked as in [`Coverage::care_refresh`].
    pub fn use_replacement(
        &mut self,
        product: &Product,
        filed_at: Timestamp,
    ) -> Result<Money, Refusal> {
        let fee = self.care_refresh(product, filed_at)?;
        self.used += 1;
        Ok(fee)
    }

    /// The warranty reward (R9) and until when the warranty would then run.
    pub fn warranty_reward(
        &self,
        product: &Product,
        now: Timestamp,
    ) -> (WarrantyReward, Option<Timestamp>) {
        if !product.warranty_reward {
            return (WarrantyReward::NotApplicable, None);
        }
        if self.used > 0 {
            return (WarrantyReward::Forfeited, None);
        }
        let until = Some(add_months(self.ends_at(), WARRANTY_REWARD_MONTHS));
        if self.runs_at(now) {
            (WarrantyReward::Projected, until)
        } else {
            (WarrantyReward::Granted, until)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::tests::at;
    use jiff::SignedDuration;

    const SECOND: SignedDuration = SignedDuration::from_secs(1);

    fn osmo_360() -> &'static Product {
        Product::find("osmo-360").expect("in catalogue")
    }

    fn rs_3() -> &'static Product {
        Product::find("rs-3").expect("in catalogue")
    }

    fn annual_from(start: &str) -> Coverage {
        Coverage::begin(Term::new(Plan::Annual, at(start)))
    }

    #[test]
    fn remaining_is_total_minus_used_while_running_and_zero_after() {
        let mut c = annual_from("2026-01-10T12:00:00Z");
        let end = c.ends_at();
        assert_eq!(c.remaining(end - SECOND), 2);
        c.use_replacement(osmo_360(), at("2026-05-01T00:00:00Z"))
            .expect("allowed");
        assert_eq!(c.remaining(end - SECOND), 1);
        assert_eq!(c.remaining(end), 0);
        assert_eq!(c.remaining(end + SECOND), 0);
    }

    #[test]
    fn status_moves_active_exhausted_grace_expired_at_the_exact_instants() {
        let mut c = annual_from("2026-01-10T12:00:00Z");
        let end = c.ends_at();
        let deadline = c.extension_deadline();
        assert_eq!(deadline, at("2027-01-25T12:00:00Z"));
        assert_eq!(c.status(end - SECOND), CoverageStatus::Active);
        assert_eq!(c.status(end), CoverageStatus::Grace);
        assert_eq!(c.status(deadline - SECOND), CoverageStatus::Grace);
        assert_eq!(c.status(deadline), CoverageStatus::Expired);
        let filed = at("2026-02-01T00:00:00Z");
        c.use_replacement(osmo_360(), filed).expect("first");
        c.use_replacement(osmo_360(), filed).expect("second");
        assert_eq!(c.status(end - SECOND), CoverageStatus::Exhausted);
        assert_eq!(c.status(end), CoverageStatus::Grace);
    }

    #[test]
    fn extension_window_closes_exactly_15_days_after_the_end() {
        let c = annual_from("2026-01-10T12:00:00Z");
        let deadline = c.extension_deadline();
        assert!(c.extension(Plan::Annual, deadline - SECOND).is_ok());
        assert_eq!(
            c.extension(Plan::Annual, deadline),
            Err(Refusal::ExtensionWindowClosed)
        );
        assert_eq!(
            c.extension(Plan::Annual, deadline + SECOND),
            Err(Refusal::ExtensionWindowClosed)
        );
    }

    #[test]
    fn an_extension_starts_where_the_coverage_ends_even_in_grace() {
        let c = annual_from("2026-01-10T12:00:00Z");
        let in_grace = c.ends_at() + SignedDuration::from_hours(24 * 3);
        let term = c
            .extension(Plan::Annual, in_grace)
            .expect("allowed in grace");
        assert_eq!(term.starts_at, at("2027-01-10T12:00:00Z"));
        assert_eq!(term.ends_at, at("2028-01-10T12:00:00Z"));
        assert_eq!(term.replacements, 2);
    }

    #[test]
    fn a_two_year_code_never_extends() {
        let c = annual_from("2026-01-10T12:00:00Z");
        assert_eq!(
            c.extension(Plan::TwoYear, at("2026-02-01T00:00:00Z")),
            Err(Refusal::ExtensionRequiresAnnualPlan)
        );
        let two_year = Coverage::begin(Term::new(Plan::TwoYear, at("2026-01-10T12:00:00Z")));
        assert_eq!(
            two_year.extension(Plan::TwoYear, at("2026-02-01T00:00:00Z")),
            Err(Refusal::ExtensionRequiresAnnualPlan)
        );
    }

    #[test]
    fn three_annual_terms_reach_the_cap_and_a_fourth_is_refused() {
        let now = at("2026-01-10T12:00:00Z");
        let mut c = annual_from("2026-01-10T12:00:00Z");
        for _ in 0..2 {
            let t = c.extension(Plan::Annual, now).expect("under the cap");
            c.extend(t);
        }
        assert_eq!(c.ends_at(), at("2029-01-10T12:00:00Z"));
        assert_eq!(c.ends_at(), c.cap_ends_at());
        assert_eq!(c.total(), 6);
        assert_eq!(
            c.extension(Plan::Annual, now),
            Err(Refusal::CoverageCapExceeded)
        );
        assert_eq!(
            c.extension(Plan::TwoYear, now),
            Err(Refusal::ExtensionRequiresAnnualPlan)
        );
    }

    #[test]
    fn two_year_plus_annual_is_allowed_then_capped() {
        let now = at("2026-06-01T00:00:00Z");
        let mut c = Coverage::begin(Term::new(Plan::TwoYear, at("2026-01-31T12:00:00Z")));
        let t = c.extension(Plan::Annual, now).expect("24 + 12 = 36 months");
        c.extend(t);
        assert_eq!(c.ends_at(), at("2029-01-31T12:00:00Z"));
        assert_eq!(c.total(), 6);
        assert_eq!(
            c.extension(Plan::Annual, now),
            Err(Refusal::CoverageCapExceeded)
        );
    }

    #[test]
    fn annual_then_two_year_is_refused() {
        let c = annual_from("2026-01-10T12:00:00Z");
        assert_eq!(
            c.extension(Plan::TwoYear, at("2026-03-01T00:00:00Z")),
            Err(Refusal::ExtensionRequiresAnnualPlan)
        );
    }

    #[test]
    fn a_chain_begun_on_a_leap_day_still_takes_three_annual_terms() {
        let now = at("2028-03-01T00:00:00Z");
        let mut c = annual_from("2028-02-29T10:00:00Z");
        for _ in 0..2 {
            let t = c.extension(Plan::Annual, now).expect("under the cap");
            c.extend(t);
        }
        assert_eq!(c.ends_at(), at("2031-02-28T10:00:00Z"));
        assert_eq!(
            c.extension(Plan::Annual, now),
            Err(Refusal::CoverageCapExceeded)
        );
    }

    #[test]
    fn fees_run_169_179_179_across_an_extension() {
        let p = osmo_360();
        let filed = at("2026-03-01T00:00:00Z");
        let mut c = annual_from("2026-01-10T12:00:00Z");
        assert_eq!(c.next_fee(p, filed), Some(Money::zl(169)));
        assert_eq!(c.use_replacement(p, filed), Ok(Money::zl(169)));
        assert_eq!(c.use_replacement(p, filed), Ok(Money::zl(179)));
        assert_eq!(c.next_fee(p, filed), None);
        assert_eq!(
            c.use_replacement(p, filed),
            Err(Refusal::NoReplacementsLeft)
        );
        let t = c.extension(Plan::Annual, filed).expect("allowed");
        c.extend(t);
        assert_eq!(c.remaining(filed), 2);
        assert_eq!(c.next_fee(p, filed), Some(Money::zl(179)));
        assert_eq!(c.use_replacement(p, filed), Ok(Money::zl(179)));
        assert_eq!(c.use_replacement(p, filed), Ok(Money::zl(179)));
        assert_eq!(c.remaining(filed), 0);
    }

    #[test]
    fn a_claim_filed_a_second_before_the_end_keeps_care_refresh_after_it() {
        let p = osmo_360();
        let mut c = annual_from("2026-01-10T12:00:00Z");
        let end = c.ends_at();
        assert_eq!(c.care_refresh(p, end - SECOND), Ok(Money::zl(169)));
        assert_eq!(c.care_refresh(p, end), Err(Refusal::CoverageNotActive));
        assert_eq!(
            c.care_refresh(p, end + SECOND),
            Err(Refusal::CoverageNotActive)
        );
        // Paid a month after the end, for the claim filed in time.
        assert_eq!(c.use_replacement(p, end - SECOND), Ok(Money::zl(169)));
        assert_eq!(c.used(), 1);
    }

    #[test]
    fn warranty_reward_states() {
        let rs3 = rs_3();
        let mut c = annual_from("2026-01-10T12:00:00Z");
        let end = c.ends_at();
        let until = Some(at("2028-01-10T12:00:00Z"));
        assert_eq!(
            c.warranty_reward(rs3, end - SECOND),
            (WarrantyReward::Projected, until)
        );
        assert_eq!(
            c.warranty_reward(rs3, end),
            (WarrantyReward::Granted, until)
        );
        assert_eq!(
            c.warranty_reward(osmo_360(), end),
            (WarrantyReward::NotApplicable, None)
        );
        c.use_replacement(rs3, at("2026-02-01T00:00:00Z"))
            .expect("allowed");
        assert_eq!(
            c.warranty_reward(rs3, end - SECOND),
            (WarrantyReward::Forfeited, None)
        );
        assert_eq!(
            c.warranty_reward(rs3, end),
            (WarrantyReward::Forfeited, None)
        );
    }

    #[test]
    fn restore_refuses_an_empty_chain() {
        assert!(Coverage::restore(Vec::new(), 0).is_none());
        let t = Term::new(Plan::Annual, at("2026-01-10T12:00:00Z"));
        assert_eq!(Coverage::restore(vec![t], 1).map(|c| c.used()), Some(1));
    }
}
