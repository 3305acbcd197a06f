//! The catalogue (spec §3): products, their fee schedules and plans. This is the one
//! data file: adding a product is one entry in [`PRODUCTS`].

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// The region this portal sells in; a code for another region is refused (R12).
pub const REGION: &str = "PL";
/// The currency of every fee.
pub const CURRENCY: &str = "PLN";

pub static PRODUCTS: &[Product] = &[
    Product {
        id: "osmo-360",
        name: "DJI Osmo 360",
        fee_schedule: &[Money::zl(169), Money::zl(179)],
        warranty_reward: false,
    },
    Product {
        id: "osmo-mobile-6",
        name: "DJI Osmo Mobile 6",
        fee_schedule: &[Money::zl(59), Money::zl(75), Money::zl(99)],
        warranty_reward: true,
    },
    Product {
        id: "osmo-mobile-se",
        name: "DJI Osmo Mobile SE",
        fee_schedule: &[Money::zl(49), Money::zl(75), Money::zl(99)],
        warranty_reward: true,
    },
    Product {
        id: "rs-3",
        name: "DJI RS 3",
        fee_schedule: &[Money::zl(289)],
        warranty_reward: true,
    },
];

/// A product that can be covered.
#[derive(Debug, PartialEq, Eq)]
pub struct Product {
    pub id: &'static str,
    pub name: &'static str,
    /// Fee by replacement number across a whole chain; the last entry repeats (R8).
    pub fee_schedule: &'static [Money],
    /// Whether an unused plan extends the manufacturer warranty (R9).
    pub warranty_reward: bool,
}

impl Product {
    /// The product with this id, if the catalogue has it.
    pub fn find(id: &str) -> Option<&'static Product> {
        PRODUCTS.iter().find(|p| p.id == id)
    }

    /// The fee of the `number`-th replacement of a chain (1-based; 0 counts as the first).
    pub fn fee(&self, number: u32) -> Money {
        let index = (number.max(1) - 1) as usize;
        let last = self.fee_schedule.len().saturating_sub(1);
        self.fee_schedule
            .get(index.min(last))
            .copied()
            .unwrap_or(Money::ZERO)
    }
}

/// A plan a code grants (R1). Written `annual` and `two-year` everywhere.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Plan {
    #[serde(rename = "annual")]
    Annual,
    #[serde(rename = "two-year")]
    TwoYear,
}

crate::wire_names!(Plan {
    Annual => "annual",
    TwoYear => "two-year",
});

impl Plan {
    /// Length of one term in calendar months.
    pub fn months(self) -> i32 {
        match self {
            Plan::Annual => 12,
            Plan::TwoYear => 24,
        }
    }

    /// Replacements one term grants.
    pub fn replacements(self) -> u32 {
        match self {
            Plan::Annual => 2,
            Plan::TwoYear => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osmo_360_fees_are_169_then_179_repeating() {
        let p = Product::find("osmo-360").expect("in catalogue");
        let fees: Vec<u32> = (1..=6).map(|n| p.fee(n).grosze()).collect();
        assert_eq!(fees, [16900, 17900, 17900, 17900, 17900, 17900]);
        assert!(!p.warranty_reward);
    }

    #[test]
    fn every_schedule_repeats_its_last_entry() {
        let om6 = Product::find("osmo-mobile-6").expect("in catalogue");
        let fees: Vec<u32> = (1..=5).map(|n| om6.fee(n).grosze()).collect();
        assert_eq!(fees, [5900, 7500, 9900, 9900, 9900]);
        let se = Product::find("osmo-mobile-se").expect("in catalogue");
        assert_eq!(se.fee(1).grosze(), 4900);
        let rs3 = Product::find("rs-3").expect("in catalogue");
        assert_eq!(rs3.fee(6).grosze(), 28900);
    }

    #[test]
    fn catalogue_has_unique_ids_and_non_empty_schedules() {
        for (i, p) in PRODUCTS.iter().enumerate() {
            assert!(!p.fee_schedule.is_empty(), "{}", p.id);
            assert!(PRODUCTS[i + 1..].iter().all(|q| q.id != p.id), "{}", p.id);
        }
        assert_eq!(PRODUCTS.len(), 4);
        assert!(Product::find("osmo-pocket").is_none());
    }

    #[test]
    fn plans_are_annual_and_two_year() {
        assert_eq!(
            (Plan::Annual.months(), Plan::Annual.replacements()),
            (12, 2)
        );
        assert_eq!(
            (Plan::TwoYear.months(), Plan::TwoYear.replacements()),
            (24, 4)
        );
        assert_eq!(Plan::parse("two-year"), Some(Plan::TwoYear));
        assert_eq!(Plan::parse("annual"), Some(Plan::Annual));
        assert_eq!(Plan::parse("Annual"), None);
        assert_eq!(
            serde_json::to_string(&Plan::TwoYear).expect("serialises"),
            "\"two-year\""
        );
    }
}
