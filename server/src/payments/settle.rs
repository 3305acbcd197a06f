//! What the provider says about an intent, applied once: from a webhook event, from the
//! answer to the owner's confirmation, or from the reconciliation that asks the
//! provider about intents left open. Each path checks the intent against the attempt
//! the portal recorded, and writes in one transaction with the event's id, so a repeat
//! or a second instance counts nothing again.

use super::records::{self, Attempt, AttemptStatus};
use super::stripe::Intent;
use super::{PROVIDER, Payments};
use crate::audit::{self, AuditEvent};
use crate::claims::paid::{self, PaidVia};
use crate::claims::records as claims;
use crate::state::AppState;
use anyhow::Result;
use care_rules::ClaimStatus;
use care_rules::api::PaymentFailure;
use serde_json::json;

/// The attempt the intent belongs to, if the intent is the one recorded: same claim,
/// amount and currency. Anything else changes nothing and is logged.
fn matching(attempt: Option<Attempt>, intent: &Intent) -> Option<Attempt> {
    let Some(attempt) = attempt else {
        tracing::warn!(intent = %intent.id, "an event about an intent the portal did not make");
        return None;
    };
    let claim = intent.metadata.get("claim_id").map(String::as_str);
    if claim != Some(attempt.claim_id.as_str())
        || intent.amount != i64::from(attempt.amount.grosze())
        || intent.currency != attempt.currency
    {
        tracing::warn!(
            intent = %intent.id,
            claim = %attempt.claim_id,
            amount = intent.amount,
            currency = %intent.currency,
            "an intent whose claim, amount or currency does not match its payment; ignored"
        );
        return None;
    }
    Some(attempt)
}

/// The intent succeeded: the claim is paid, or (paid meanwhile by transfer, or no
/// longer awaiting payment) the money is given back. `event` is the webhook event's
/// id, recorded in the same transaction.
pub async fn succeeded(
    state: &AppState,
    payments: &Payments,
    intent: &Intent,
    event: Option<&str>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    if let Some(id) = event
        && !records::first_delivery(&mut tx, id, "payment_intent.succeeded", now.as_second())
            .await?
    {
        return Ok(());
    }
    let Some(attempt) = matching(records::by_intent(&mut tx, &intent.id).await?, intent) else {
        tx.commit().await?;
        return Ok(());
    };
    if matches!(
        attempt.status,
        AttemptStatus::Succeeded | AttemptStatus::Refunding | AttemptStatus::Refunded
    ) {
        // Already settled (the owner's answer, then the webhook; or a repeat).
        tx.commit().await?;
        return Ok(());
    }
    let Some(mut claim) = claims::find(&mut tx, &attempt.claim_id).await? else {
        return Ok(());
    };
    let live = matches!(
        attempt.status,
        AttemptStatus::Open | AttemptStatus::Creating
    );
    if live && claim.status == ClaimStatus::AwaitingPayment {
        let via = PaidVia::Online {
            provider: PROVIDER,
            method: attempt.method.clone().unwrap_or_else(|| "card".to_owned()),
            reference: intent.id.clone(),
        };
        paid::record(&mut tx, &state.links, &mut claim, &via, PROVIDER, now)
            .await
            .map_err(|e| anyhow::anyhow!("recording the payment of {}: {e:?}", claim.id))?;
        records::set_status(
            &mut tx,
            &intent.id,
            &[AttemptStatus::Open, AttemptStatus::Creating],
            AttemptStatus::Succeeded,
            now.as_second(),
        )
        .await?;
        tx.commit().await?;
        state.outbox.notify_one();
        return Ok(());
    }
    // Paid twice (a transfer recorded meanwhile, its cancellation too late) or paid for
    // a claim that moved on: the refund is recorded first, made after the commit, and
    // retried by the reconciliation until the provider confirms it.
    records::set_status(
        &mut tx,
        &intent.id,
        &[
            AttemptStatus::Open,
            AttemptStatus::Creating,
            AttemptStatus::Canceled,
        ],
        AttemptStatus::Refunding,
        now.as_second(),
    )
    .await?;
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: PROVIDER,
            action: "payment.refund_duplicate",
            subject: &format!("claim:{}", claim.id),
            details: json!({"intent": intent.id, "amount_grosze": intent.amount, "claim_status": claim.status}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(claim = %claim.id, intent = %intent.id, status = %claim.status,
        "a payment for a claim that no longer owed it; refunding it");
    refund_duplicate(state, payments, &intent.id, intent.amount).await
}

/// Gives back a payment the claim did not owe; the attempt becomes `refunded`.
pub async fn refund_duplicate(
    state: &AppState,
    payments: &Payments,
    intent: &str,
    amount: i64,
) -> Result<()> {
    payments
        .stripe
        .refund(intent, amount, &format!("refund:{intent}"))
        .await?;
    let mut tx = state.db.write().await?;
    records::set_status(
        &mut tx,
        intent,
        &[AttemptStatus::Refunding],
        AttemptStatus::Refunded,
        state.clock.now().as_second(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The attempt failed: the claim stays `awaiting_payment`, and its page says why.
pub async fn failed(state: &AppState, intent: &Intent, event: Option<&str>) -> Result<()> {
    let now = state.clock.now().as_second();
    let mut tx = state.db.write().await?;
    if let Some(id) = event
        && !records::first_delivery(&mut tx, id, "payment_intent.payment_failed", now).await?
    {
        return Ok(());
    }
    if let Some(attempt) = matching(records::by_intent(&mut tx, &intent.id).await?, intent)
        // A failure reported after the success (events come in any order) changes nothing.
        && attempt.status == AttemptStatus::Open
    {
        let error = intent.last_payment_error.as_ref();
        let failure = PaymentFailure::from_provider(
            error.and_then(|e| e.code.as_deref()),
            error.and_then(|e| e.decline_code.as_deref()),
        );
        records::set_failure(&mut tx, &intent.id, Some(failure), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Asks the provider about the claim's open intent and applies what it says: a lost
/// webhook loses no payment.
pub async fn reconcile(state: &AppState, payments: &Payments, attempt: &Attempt) -> Result<()> {
    let Some(intent_id) = &attempt.intent_id else {
        return Ok(());
    };
    if attempt.status == AttemptStatus::Refunding {
        return refund_duplicate(
            state,
            payments,
            intent_id,
            i64::from(attempt.amount.grosze()),
        )
        .await;
    }
    let intent = payments.stripe.retrieve_intent(intent_id).await?;
    match intent.status.as_str() {
        "succeeded" => succeeded(state, payments, &intent, None).await,
        "canceled" => {
            let mut tx = state.db.write().await?;
            records::set_status(
                &mut tx,
                intent_id,
                &[AttemptStatus::Open],
                AttemptStatus::Canceled,
                state.clock.now().as_second(),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        _ => Ok(()),
    }
}
