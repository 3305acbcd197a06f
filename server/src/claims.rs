//! Claims (spec §5, R10, R11): filing, the owner's choice, and the staff's steps.
//! Each step reads the claim, asks the workflow rules whether it may follow, and
//! writes the outcome with a conditional update, an audit event and the owner's email
//! in one transaction.

use crate::codes::random_id;
use crate::coverage::{DeviceState, parse_serial};
use crate::email;
use crate::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use crate::storage::{AuditEvent, ClaimRecord, DeviceRecord, LedgerRecord, Role, Tx};
use anyhow::anyhow;
use care_rules::api::{
    CareRefreshOffer, ClaimCreated, ClaimDocument, ClaimEvent, ClaimItem, ClaimRequest,
    PaymentInstructions, Quote, Shipment, StaffClaim,
};
use care_rules::transfer::{ReplacementUnit, check_replacement_unit};
use care_rules::{
    ClaimOption, ClaimStatus, ClaimStep, Customer, Email, Lang, Money, Product, Refusal, Serial,
    Timestamp,
};
use serde_json::json;
use std::net::IpAddr;

/// The bank account claims are paid to (a placeholder of the right shape).
pub const PAYMENT_ACCOUNT: &str = "PL61 1090 1014 0000 0712 1981 2874";
/// Highest repair quote staff may enter: 100 000 zł.
const MAX_QUOTE: Money = Money::zl(100_000);

fn text_field(value: &str, field: &'static str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len == 0 || len > max || trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            field,
            format!("1 to {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn lang_of(tag: &str) -> Lang {
    if tag == "en" { Lang::En } else { Lang::Pl }
}

fn subject(id: &str) -> String {
    format!("claim:{id}")
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

/// Files a claim; Care Refresh eligibility is judged now, once (R10).
pub async fn file(
    state: &AppState,
    req: ClaimRequest,
    lang: Lang,
    ip: IpAddr,
) -> Result<ClaimCreated, ApiError> {
    let serial = parse_serial(&req.serial)?;
    let description = text_field(&req.description, "description", 2000)?;
    let c = &req.customer;
    let customer = Customer::parse(&c.name, &c.email, c.phone.as_deref())?;
    let address = text_field(&req.shipping_address, "shipping_address", 500)?;
    if address.chars().count() < 5 {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "shipping_address",
            "5 to 500 characters",
        ));
    }
    let now = state.clock.now();
    let limits = state.limits;
    let bucket = format!("claims:client:{ip}");
    let mut tx = state.store.write().await?;
    limits
        .check(
            tx.as_mut(),
            &bucket,
            limits.cases_per_client,
            now.as_second(),
        )
        .await?;
    let device = DeviceState::load(tx.as_mut(), &serial).await?;
    let offer = match &device.coverage {
        Some(c) => c.coverage.care_refresh(device.product, now),
        None => Err(Refusal::CoverageNotActive),
    };
    let id = random_id();
    let record = ClaimRecord {
        id: id.clone(),
        serial: serial.as_str().to_owned(),
        product_id: device.product.id.to_owned(),
        coverage_id: device.coverage.as_ref().map(|c| c.id.clone()),
        description,
        customer_name: customer.name.as_str().to_owned(),
        customer_email: customer.email.as_str().to_owned(),
        customer_phone: customer.phone.as_ref().map(|p| p.as_str().to_owned()),
        shipping_address: address,
        lang: lang.tag().to_owned(),
        status: ClaimStatus::Submitted,
        filed_at: now,
        eligible: offer.is_ok(),
        refusal: offer.err(),
        quote: None,
        option: None,
        paid: None,
        tracking: None,
        replacement_serial: None,
        shipped_at: None,
        decline_reason: None,
    };
    tx.insert_claim(&record).await?;
    tx.record_failure(&bucket, now.as_second(), limits.window_seconds)
        .await?;
    tx.enqueue_email(
        &email::claim_filed(lang, &record, offer.ok(), &state.claim_link(&id)),
        now,
    )
    .await?;
    tx.audit(
        &AuditEvent {
            actor: &format!("customer:{}", customer.email.masked()),
            action: "claim.submitted",
            subject: &subject(&id),
            details: json!({"serial": serial, "eligible": record.eligible, "refusal": record.refusal}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(ClaimCreated {
        id,
        status: ClaimStatus::Submitted,
        care_refresh: CareRefreshOffer {
            eligible: offer.is_ok(),
            fee_grosze: offer.ok(),
            refusal: offer.err(),
        },
    })
}

/// Care Refresh for the claim now: eligibility as judged at filing (R10), and a
/// replacement still left in the chain; with its fee (R8).
async fn care_refresh(
    tx: &mut dyn Tx,
    claim: &ClaimRecord,
) -> Result<Result<Money, Refusal>, ApiError> {
    if !claim.eligible {
        return Ok(Err(claim.refusal.unwrap_or(Refusal::CoverageNotActive)));
    }
    let product = product(claim)?;
    let chain = match &claim.coverage_id {
        Some(id) => tx.coverage_by_id(id).await?,
        None => None,
    };
    Ok(match chain {
        Some(chain) => chain.coverage.care_refresh(product, claim.filed_at),
        None => Err(Refusal::CoverageNotActive),
    })
}

fn product(claim: &ClaimRecord) -> Result<&'static Product, ApiError> {
    Product::find(&claim.product_id)
        .ok_or_else(|| anyhow!("claim {} has an unknown product", claim.id).into())
}

/// The claim as its owner follows it.
pub async fn document(tx: &mut dyn Tx, claim: &ClaimRecord) -> Result<ClaimDocument, ApiError> {
    let offer = match (claim.option, claim.paid) {
        // Paid with Care Refresh: the fee it cost.
        (Some(ClaimOption::CareRefresh), Some(paid)) => Ok(paid),
        _ => care_refresh(tx, claim).await?,
    };
    let payment = if claim.status == ClaimStatus::AwaitingPayment {
        let amount = match claim.option {
            Some(ClaimOption::CareRefresh) => offer.ok(),
            _ => claim.quote.as_ref().map(|(amount, _)| *amount),
        };
        amount.map(|amount_grosze| PaymentInstructions {
            amount_grosze,
            reference: payment_reference(&claim.id),
            account: PAYMENT_ACCOUNT.to_owned(),
        })
    } else {
        None
    };
    let history = tx
        .audit_trail(&[subject(&claim.id)])
        .await?
        .into_iter()
        .filter_map(|event| {
            let status = ClaimStatus::parse(event.action.strip_prefix("claim.")?)?;
            Some(ClaimEvent {
                status,
                at: event.at,
            })
        })
        .collect();
    Ok(ClaimDocument {
        id: claim.id.clone(),
        serial: claim.serial.clone(),
        product_id: claim.product_id.clone(),
        status: claim.status,
        filed_at: claim.filed_at,
        description: claim.description.clone(),
        care_refresh: CareRefreshOffer {
            eligible: offer.is_ok(),
            fee_grosze: offer.ok(),
            refusal: offer.err(),
        },
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
        history,
    })
}

/// The transfer title for a claim's payment: `CR-` and the first 8 digits of its id.
pub fn payment_reference(id: &str) -> String {
    format!(
        "CR-{}",
        id.chars().take(8).collect::<String>().to_uppercase()
    )
}

async fn load(tx: &mut dyn Tx, id: &str) -> Result<ClaimRecord, ApiError> {
    tx.claim(id).await?.ok_or_else(|| Refusal::NotFound.into())
}

/// The claim's next status, or 409 naming the current one.
fn next(claim: &ClaimRecord, step: ClaimStep) -> Result<ClaimStatus, ApiError> {
    claim.status.after(step).map_err(|r| {
        ApiError::detail(
            r,
            format!(
                "the claim is {}; `{}` cannot follow",
                claim.status.id(),
                step.id()
            ),
        )
    })
}

/// Writes a step's outcome: conditional on the status the step started from.
async fn save(
    tx: &mut dyn Tx,
    claim: &ClaimRecord,
    from: ClaimStatus,
    actor: &str,
    details: serde_json::Value,
    now: Timestamp,
) -> Result<(), ApiError> {
    if !tx.update_claim(claim, from).await? {
        return Err(ApiError::detail(
            Refusal::InvalidState,
            "the claim changed meanwhile; reload it",
        ));
    }
    tx.audit(
        &AuditEvent {
            actor,
            action: &format!("claim.{}", claim.status.id()),
            subject: &subject(&claim.id),
            details,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The owner's choice between the quoted repair and Care Refresh.
pub async fn choose(
    state: &AppState,
    id: &str,
    option: ClaimOption,
) -> Result<ClaimDocument, ApiError> {
    let now = state.clock.now();
    let mut tx = state.store.write().await?;
    let mut claim = load(tx.as_mut(), id).await?;
    let from = claim.status;
    let status = next(&claim, ClaimStep::Choose)?;
    if option == ClaimOption::CareRefresh {
        care_refresh(tx.as_mut(), &claim)
            .await?
            .map_err(ApiError::from)?;
    }
    claim.status = status;
    claim.option = Some(option);
    let actor = format!(
        "customer:{}",
        Email::parse(&claim.customer_email).map_or_else(|_| "***".to_owned(), |e| e.masked())
    );
    save(
        tx.as_mut(),
        &claim,
        from,
        &actor,
        json!({"option": option}),
        now,
    )
    .await?;
    let doc = document(tx.as_mut(), &claim).await?;
    tx.commit().await?;
    Ok(doc)
}

/// A staff step and what it carries.
pub enum StaffStep {
    Receive,
    Quote {
        amount: Money,
        note: String,
    },
    Warranty,
    Decline {
        reason: String,
    },
    Pay,
    Ship {
        tracking: String,
        replacement_serial: Option<String>,
    },
    Close,
}

impl StaffStep {
    fn step(&self) -> ClaimStep {
        match self {
            StaffStep::Receive => ClaimStep::Receive,
            StaffStep::Quote { .. } => ClaimStep::Quote,
            StaffStep::Warranty => ClaimStep::Warranty,
            StaffStep::Decline { .. } => ClaimStep::Decline,
            StaffStep::Pay => ClaimStep::Pay,
            StaffStep::Ship { .. } => ClaimStep::Ship,
            StaffStep::Close => ClaimStep::Close,
        }
    }
}

/// A step taken by the service team.
pub async fn staff_step(
    state: &AppState,
    user: &StaffUser,
    id: &str,
    step: StaffStep,
) -> Result<StaffClaim, ApiError> {
    user.require(Role::Service)?;
    let now = state.clock.now();
    let mut tx = state.store.write().await?;
    let mut claim = load(tx.as_mut(), id).await?;
    let from = claim.status;
    let status = next(&claim, step.step())?;
    let lang = lang_of(&claim.lang);
    let link = state.claim_link(id);
    let mut details = json!({});
    let mail = match step {
        StaffStep::Receive | StaffStep::Close => None,
        StaffStep::Quote { amount, note } => {
            if amount == Money::ZERO || amount > MAX_QUOTE {
                return Err(ApiError::field(
                    Refusal::InvalidRequest,
                    "amount_grosze",
                    "1 gr to 100 000 zł",
                ));
            }
            let note = text_field(&note, "note", 1000)?;
            claim.quote = Some((amount, note.clone()));
            details = json!({"amount_grosze": amount, "note": note});
            let offer = care_refresh(tx.as_mut(), &claim).await?.ok();
            Some(email::quote_ready(
                lang, &claim, amount, &note, offer, &link,
            ))
        }
        StaffStep::Warranty => Some(email::claim_warranty(lang, &claim, &link)),
        StaffStep::Decline { reason } => {
            let reason = text_field(&reason, "reason", 1000)?;
            claim.decline_reason = Some(reason.clone());
            details = json!({"reason": reason});
            Some(email::claim_declined(lang, &claim, &reason, &link))
        }
        StaffStep::Pay => {
            let amount = match claim.option {
                Some(ClaimOption::CareRefresh) => {
                    let chain_id = claim
                        .coverage_id
                        .clone()
                        .ok_or(Refusal::CoverageNotActive)?;
                    let mut chain = tx
                        .coverage_by_id(&chain_id)
                        .await?
                        .ok_or(Refusal::CoverageNotActive)?;
                    // R7, R8, R10: the next replacement of the chain, at its fee.
                    let fee = chain
                        .coverage
                        .use_replacement(product(&claim)?, claim.filed_at)?;
                    tx.insert_replacement(&LedgerRecord {
                        coverage_id: chain_id,
                        number: chain.coverage.used(),
                        fee,
                        claim_id: Some(claim.id.clone()),
                        at: now,
                    })
                    .await?;
                    details = json!({"replacement": chain.coverage.used(), "fee_grosze": fee});
                    fee
                }
                _ => claim
                    .quote
                    .as_ref()
                    .map(|(amount, _)| *amount)
                    .unwrap_or(Money::ZERO),
            };
            claim.paid = Some(amount);
            None
        }
        StaffStep::Ship {
            tracking,
            replacement_serial,
        } => {
            let tracking = text_field(&tracking, "tracking", 64)?;
            if let Some(raw) = replacement_serial {
                let new = transfer(tx.as_mut(), &claim, &raw, now).await?;
                claim.replacement_serial = Some(new.as_str().to_owned());
            }
            claim.tracking = Some(tracking.clone());
            claim.shipped_at = Some(now);
            details = json!({"tracking": tracking, "replacement_serial": claim.replacement_serial});
            Some(email::claim_shipped(lang, &claim, &tracking, &link))
        }
    };
    claim.status = status;
    save(tx.as_mut(), &claim, from, &user.actor(), details, now).await?;
    if let Some(mail) = mail {
        tx.enqueue_email(&mail, now).await?;
    }
    let answer = staff_view(tx.as_mut(), &claim).await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(answer)
}

/// R11: a whole replacement unit takes over the claim's coverage.
async fn transfer(
    tx: &mut dyn Tx,
    claim: &ClaimRecord,
    raw: &str,
    now: Timestamp,
) -> Result<Serial, ApiError> {
    if claim.option != Some(ClaimOption::CareRefresh) || claim.status != ClaimStatus::Paid {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "replacement_serial",
            "only a paid Care Refresh replacement is a new unit",
        ));
    }
    let new = Serial::parse(raw)
        .map_err(|r| ApiError::field(r, "replacement_serial", "10 to 20 letters A-Z and digits"))?;
    let old =
        Serial::parse(&claim.serial).map_err(|_| anyhow!("claim {} has a bad serial", claim.id))?;
    // The old device first, in the order activations and filing lock devices: one
    // order, so two transactions never wait for each other.
    tx.device(&old).await?;
    // An unknown unit is registered here. When another transfer registers the same
    // serial at the same moment (on PostgreSQL the insert waits for it), the unit is
    // judged as that one left it.
    let registered = match tx.device(&new).await? {
        Some(_) => false,
        None => {
            tx.insert_device(
                &DeviceRecord {
                    serial: new.clone(),
                    product_id: claim.product_id.clone(),
                    activated_at: None,
                    replaced_by: None,
                },
                now,
            )
            .await?
        }
    };
    let known = if registered {
        None
    } else {
        tx.device(&new).await?
    };
    let unit = match &known {
        Some(device) => ReplacementUnit::Known {
            product_id: &device.product_id,
            has_coverage: tx.latest_coverage(&new).await?.is_some(),
        },
        None => ReplacementUnit::Unknown,
    };
    // A refusal rolls the registration back with the rest of the step.
    check_replacement_unit(&old, &claim.product_id, &new, unit)?;
    let chain = claim
        .coverage_id
        .as_deref()
        .ok_or(Refusal::CoverageNotActive)?;
    tx.move_coverage(chain, &old, &new).await?;
    tx.audit(
        &AuditEvent {
            actor: "system",
            action: "coverage.transferred",
            subject: &format!("device:{old}"),
            details: json!({"to": new, "claim": claim.id}),
        },
        now,
    )
    .await?;
    Ok(new)
}

/// The claim as staff handle it, with the steps its status allows.
pub async fn staff_view(tx: &mut dyn Tx, claim: &ClaimRecord) -> Result<StaffClaim, ApiError> {
    Ok(StaffClaim {
        claim: document(tx, claim).await?,
        customer_name: claim.customer_name.clone(),
        customer_email: claim.customer_email.clone(),
        customer_phone: claim.customer_phone.clone(),
        shipping_address: claim.shipping_address.clone(),
        allowed_steps: claim
            .status
            .staff_steps()
            .iter()
            .map(|s| s.id().to_owned())
            .collect(),
    })
}

/// A claim in a list, personal data masked.
pub fn item(claim: &ClaimRecord) -> ClaimItem {
    ClaimItem {
        id: claim.id.clone(),
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

    #[test]
    fn the_payment_reference_ties_to_the_claim() {
        assert_eq!(payment_reference("0a1b2c3d4e5f"), "CR-0A1B2C3D");
    }
}
