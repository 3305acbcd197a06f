//! A claim paid, by transfer (staff record it) or online (the provider says so): the
//! same writes either way, in the caller's transaction.

use super::records::ClaimRecord;
use super::{care_refresh, next, product, save};
use crate::coverage::chains::{self, LedgerRecord};
use crate::db::Tx;
use crate::email::{self, messages::PaymentReceived};
use crate::http::problem::ApiError;
use crate::state::Links;
use care_rules::{ClaimOption, ClaimStep, Lang, Money, Refusal, Timestamp};
use serde_json::json;

/// How the money came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaidVia {
    Transfer,
    /// Through the provider (`stripe`), by `method` (`card`, `blik`), as `reference`.
    Online {
        provider: &'static str,
        method: String,
        reference: String,
    },
}

impl PaidVia {
    fn name(&self) -> &'static str {
        match self {
            PaidVia::Transfer => "transfer",
            PaidVia::Online { provider, .. } => provider,
        }
    }

    /// How the receipt names the way of payment.
    fn method(&self, lang: Lang) -> String {
        match (self, lang) {
            (PaidVia::Transfer, Lang::Pl) => "przelew".to_owned(),
            (PaidVia::Transfer, Lang::En) => "bank transfer".to_owned(),
            (PaidVia::Online { method, .. }, _) if method == "blik" => "BLIK".to_owned(),
            (PaidVia::Online { .. }, Lang::Pl) => "karta".to_owned(),
            (PaidVia::Online { .. }, Lang::En) => "card".to_owned(),
        }
    }
}

/// What the claim owes while a payment is due: the Care Refresh fee of the chain's
/// next replacement, or the quoted repair.
pub async fn amount_due(tx: &mut Tx, claim: &ClaimRecord) -> Result<Option<Money>, ApiError> {
    Ok(match claim.option {
        Some(ClaimOption::CareRefresh) => care_refresh(tx, claim).await?.ok(),
        _ => claim.quote.as_ref().map(|(amount, _)| *amount),
    })
}

/// Takes the claim from `awaiting_payment` to `paid`: for Care Refresh the chain's next
/// replacement counted in the ledger at its fee (R7, R8, R10), the status with its
/// history and audit events, and the owner's receipt. Returns what was paid.
pub async fn record(
    tx: &mut Tx,
    links: &Links,
    claim: &mut ClaimRecord,
    via: &PaidVia,
    actor: &str,
    now: Timestamp,
) -> Result<Money, ApiError> {
    let from = claim.status;
    let status = next(claim, ClaimStep::Pay)?;
    let (amount, mut details) = match claim.option {
        Some(ClaimOption::CareRefresh) => {
            let chain_id = claim
                .coverage_id
                .clone()
                .ok_or(Refusal::CoverageNotActive)?;
            let mut chain = chains::by_id(tx, &chain_id)
                .await?
                .ok_or(Refusal::CoverageNotActive)?;
            let fee = chain
                .coverage
                .use_replacement(product(claim)?, claim.filed_at)?;
            chains::count_replacement(
                tx,
                &LedgerRecord {
                    coverage_id: chain_id,
                    number: chain.coverage.used(),
                    fee,
                    claim_id: Some(claim.id.clone()),
                    at: now,
                },
            )
            .await?;
            (
                fee,
                json!({"replacement": chain.coverage.used(), "fee_grosze": fee}),
            )
        }
        _ => (
            claim
                .quote
                .as_ref()
                .map(|(amount, _)| *amount)
                .unwrap_or(Money::ZERO),
            json!({}),
        ),
    };
    details["via"] = json!(via.name());
    claim.paid = Some(amount);
    claim.paid_via = Some(via.name().to_owned());
    if let PaidVia::Online { reference, .. } = via {
        details["reference"] = json!(reference);
        claim.payment_reference = Some(reference.clone());
    }
    claim.status = status;
    save(tx, claim, from, actor, details, now).await?;
    let receipt = PaymentReceived {
        lang: claim.lang,
        number: claim.number(),
        serial: claim.serial.clone(),
        amount: email::messages::money(amount, claim.lang),
        method: via.method(claim.lang),
        reference: claim.payment_reference.clone(),
        link: links.claim(&claim.id),
    };
    email::queue(tx, &claim.customer_email, &receipt, now).await?;
    Ok(amount)
}
