//! Claims (spec §5, R10, R11): an owner files one and follows it by its unguessable link
//! ([`owner`]); the service team takes it through its steps ([`service`]), a whole
//! replacement unit taking over the coverage ([`transfer`]). Each step reads the claim,
//! asks the workflow rules whether it may follow, and writes the outcome with a
//! conditional update, a history event, an audit event and the owner's email in one
//! transaction.

pub mod device_page;
pub mod owner;
pub mod paid;
pub mod records;
pub mod refund;
pub mod service;
pub mod transfer;

use crate::audit::{self, AuditEvent};
use crate::coverage::chains;
use crate::db::Tx;
use crate::http::problem::ApiError;
use crate::state::AppState;
use anyhow::anyhow;
use care_rules::api::{
    CareRefreshOffer, ClaimDocument, ClaimItem, PaymentInstructions, Quote, Shipment,
};
use care_rules::{ClaimOption, ClaimStatus, ClaimStep, Email, Money, Product, Refusal, Timestamp};
use records::ClaimRecord;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where devices go and transfers are paid to, unless configured
/// (`CARE_SERVICE_ADDRESS`, `CARE_BANK_ACCOUNT`): placeholders of the right shape.
pub const DEFAULT_SERVICE_ADDRESS: &str = "Care Refresh Service, ul. Serwisowa 1, 00-001 Warszawa";
pub const DEFAULT_BANK_ACCOUNT: &str = "PL61 1090 1014 0000 0712 1981 2874";

/// The service centre: where owners send devices and pay by transfer.
#[derive(Debug, Clone)]
pub struct ServiceDesk {
    pub address: String,
    pub bank_account: String,
    /// Card and BLIK through the payment provider are on.
    pub online_payments: bool,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(owner::file))
        .routes(routes!(owner::get))
        .routes(routes!(owner::choose))
        .routes(routes!(service::queue))
        .routes(routes!(service::claim))
        .routes(routes!(service::receive))
        .routes(routes!(service::quote))
        .routes(routes!(service::warranty))
        .routes(routes!(service::decline))
        .routes(routes!(service::payment))
        .routes(routes!(service::ship))
        .routes(routes!(service::close))
        .routes(routes!(refund::refund))
        .routes(routes!(device_page::device))
}

fn audit_subject(id: &str) -> String {
    format!("claim:{id}")
}

/// A customer as the audit trail names them: `customer:j***@example.pl`.
fn customer_actor(email: &str) -> String {
    format!(
        "customer:{}",
        Email::parse(email).map_or_else(|_| "***".to_owned(), |e| e.masked())
    )
}

fn product(claim: &ClaimRecord) -> Result<&'static Product, ApiError> {
    Product::find(&claim.product_id)
        .ok_or_else(|| anyhow!("claim {} has an unknown product", claim.id).into())
}

/// Care Refresh for the claim now: eligibility as judged at filing (R10), and a
/// replacement still left in the chain; with its fee (R8).
async fn care_refresh(
    tx: &mut Tx,
    claim: &ClaimRecord,
) -> Result<Result<Money, Refusal>, ApiError> {
    if !claim.eligible {
        return Ok(Err(claim.refusal.unwrap_or(Refusal::CoverageNotActive)));
    }
    let product = product(claim)?;
    let chain = match &claim.coverage_id {
        Some(id) => chains::by_id(tx, id).await?,
        None => None,
    };
    Ok(match chain {
        Some(chain) => chain.coverage.care_refresh(product, claim.filed_at),
        None => Err(Refusal::CoverageNotActive),
    })
}

fn offer(result: Result<Money, Refusal>) -> CareRefreshOffer {
    CareRefreshOffer {
        eligible: result.is_ok(),
        fee_grosze: result.ok(),
        refusal: result.err(),
    }
}

/// The claim as its owner follows it.
pub async fn document(
    tx: &mut Tx,
    desk: &ServiceDesk,
    claim: &ClaimRecord,
) -> Result<ClaimDocument, ApiError> {
    let online = desk.online_payments;
    let care_refresh = match (claim.option, claim.paid) {
        // Paid with Care Refresh: the fee it cost.
        (Some(ClaimOption::CareRefresh), Some(paid)) => Ok(paid),
        _ => care_refresh(tx, claim).await?,
    };
    let payment = if claim.status == ClaimStatus::AwaitingPayment {
        let last_failure = crate::payments::records::latest(tx, &claim.id)
            .await?
            .and_then(|a| a.last_failure);
        paid::amount_due(tx, claim)
            .await?
            .map(|amount_grosze| PaymentInstructions {
                amount_grosze,
                reference: claim.number(),
                account: desk.bank_account.clone(),
                online,
                last_failure,
            })
    } else {
        None
    };
    Ok(ClaimDocument {
        id: claim.id.clone(),
        number: claim.number(),
        service_address: desk.address.clone(),
        serial: claim.serial.clone(),
        product_id: claim.product_id.clone(),
        status: claim.status,
        filed_at: claim.filed_at,
        description: claim.description.clone(),
        care_refresh: offer(care_refresh),
        quote: claim.quote.as_ref().map(|(amount, note)| Quote {
            amount_grosze: *amount,
            note: note.clone(),
        }),
        option: claim.option,
        payment,
        shipment: match (&claim.tracking, claim.shipped_at) {
            (Some(tracking), Some(shipped_at)) => Some(Shipment {
                tracking: tracking.clone(),
                replacement_serial: claim.replacement_serial.clone(),
                shipped_at,
            }),
            _ => None,
        },
        decline_reason: claim.decline_reason.clone(),
        history: records::history(tx, &claim.id).await?,
    })
}

async fn load(tx: &mut Tx, id: &str) -> Result<ClaimRecord, ApiError> {
    records::find(tx, id)
        .await?
        .ok_or_else(|| Refusal::NotFound.into())
}

/// The claim's next status, or 409 naming the current one.
fn next(claim: &ClaimRecord, step: ClaimStep) -> Result<ClaimStatus, ApiError> {
    claim.status.after(step).map_err(|r| {
        ApiError::detail(
            r,
            format!("the claim is {}; `{step}` cannot follow", claim.status),
        )
    })
}

/// Writes a step's outcome: conditional on the status the step started from, with its
/// history and audit events.
async fn save(
    tx: &mut Tx,
    claim: &ClaimRecord,
    from: ClaimStatus,
    actor: &str,
    details: serde_json::Value,
    now: Timestamp,
) -> Result<(), ApiError> {
    if !records::update(tx, claim, from).await? {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the claim changed meanwhile; reload it",
        ));
    }
    records::record_event(tx, &claim.id, claim.status, actor, now).await?;
    audit::record(
        tx,
        &AuditEvent {
            actor,
            action: &format!("claim.{}", claim.status),
            subject: &audit_subject(&claim.id),
            details,
        },
        now,
    )
    .await?;
    Ok(())
}

/// `Jan K.`: a name as lists show it.
fn masked_name(name: &str) -> String {
    let mut parts = name.split_whitespace();
    let first = parts.next().unwrap_or_default();
    match parts.last().and_then(|l| l.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_owned(),
    }
}

/// A claim in a list, personal data masked.
pub fn item(claim: &ClaimRecord) -> ClaimItem {
    ClaimItem {
        id: claim.id.clone(),
        number: claim.number(),
        serial: claim.serial.clone(),
        product_id: claim.product_id.clone(),
        status: claim.status,
        filed_at: claim.filed_at,
        customer: masked_name(&claim.customer_name),
        email: Email::parse(&claim.customer_email)
            .map_or_else(|_| "***".to_owned(), |e| e.masked()),
        care_refresh_eligible: claim.eligible,
        option: claim.option,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_to_an_initial() {
        assert_eq!(masked_name("Jan Kowalski"), "Jan K.");
        assert_eq!(masked_name("Anna Maria Nowak"), "Anna N.");
        assert_eq!(masked_name("Cher"), "Cher");
    }
}
