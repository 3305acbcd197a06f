//! `POST /api/activations`: activate or extend a plan (R1-R13), exactly once per code.

use crate::codes::{CodeHash, random_id};
use crate::coverage::{DeviceState, parse_serial};
use crate::email::{ActivationMail, activation_confirmation};
use crate::problem::{ApiError, status_of};
use crate::state::AppState;
use crate::storage::{ActivationRecord, AuditEvent, StoredResponse, Tx};
use care_rules::api::{ActivationRequest, CoverageDocument};
use care_rules::{
    Activation, Code, CodeFacts, Coverage, Customer, Device, Lang, Refusal, Serial, Timestamp,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// Who asks, in what language, and under which idempotency key.
pub struct Caller {
    pub ip: IpAddr,
    pub lang: Lang,
    pub idempotency_key: Option<String>,
}

/// The answer: a status and a JSON body (a coverage document or a problem).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// A request parsed into domain types: nothing reaches the rules unparsed.
struct Parsed {
    code: Code,
    serial: Serial,
    customer: Customer,
    verification_id: Option<String>,
}

fn parse(req: &ActivationRequest) -> Result<Parsed, ApiError> {
    let code = Code::parse(&req.code).map_err(|r| {
        ApiError::field(
            r,
            "code",
            "16 characters as on the card; the check character does not match",
        )
    })?;
    let serial = parse_serial(&req.serial)?;
    let c = &req.customer;
    let customer = Customer::parse(&c.name, &c.email, c.phone.as_deref())?;
    if !req.accept_terms {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "accept_terms",
            "the terms must be accepted",
        ));
    }
    let verification_id = match &req.verification_id {
        Some(id) if !is_case_id(id) => {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "verification_id",
                "not a verification case id",
            ));
        }
        other => other.clone(),
    };
    Ok(Parsed {
        code,
        serial,
        customer,
        verification_id,
    })
}

fn is_case_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Canonical JSON of the request, so that the same body in another key order or
/// spacing counts as the same for idempotency.
fn request_hash(req: &ActivationRequest) -> Vec<u8> {
    let canonical = serde_json::to_value(req)
        .map(|v| v.to_string())
        .unwrap_or_default();
    Sha256::digest(canonical.as_bytes()).to_vec()
}

pub async fn activate(
    state: &AppState,
    req: ActivationRequest,
    caller: Caller,
) -> Result<Answer, ApiError> {
    let now = state.clock.now();
    let hash = request_hash(&req);
    if let Some(key) = &caller.idempotency_key {
        let mut tx = state.store.read().await?;
        if let Some(stored) = tx.idempotent_response(key).await? {
            return replay(stored, &hash);
        }
    }
    let parsed = parse(&req)?;
    check_rate_limits(state, &caller, &parsed.serial, now).await?;
    let code_hash = state.code_key.hash(&parsed.code);

    let mut tx = state.store.write().await?;
    if let Some(key) = &caller.idempotency_key {
        // Another request with this key may have finished while we waited.
        if let Some(stored) = tx.idempotent_response(key).await? {
            return replay(stored, &hash);
        }
    }
    match apply(tx.as_mut(), &parsed, &code_hash, caller.lang, now).await {
        Ok(document) => {
            let body = serde_json::to_string(&document).map_err(anyhow::Error::from)?;
            if let Some(key) = &caller.idempotency_key {
                let stored = StoredResponse {
                    request_hash: hash,
                    status: 201,
                    body: body.clone(),
                };
                tx.save_idempotent_response(key, &stored, now).await?;
            }
            tx.commit().await?;
            state.outbox.notify_one();
            tracing::info!(serial = %parsed.serial, code = %parsed.code.masked(), "plan activated");
            Ok(Answer { status: 201, body })
        }
        Err(error) => {
            if let Some(key) = &caller.idempotency_key {
                // On PostgreSQL a request with the same key may have committed while
                // this one waited for the device: its answer is this one's too.
                if let Some(stored) = tx.idempotent_response(key).await? {
                    return replay(stored, &hash);
                }
            }
            drop(tx);
            after_refusal(state, &caller, &parsed, &error, hash, now).await?;
            Err(error)
        }
    }
}

/// The activation inside one write transaction: read the facts, ask the rules, write
/// the outcome. Any refusal leaves the database as it was.
async fn apply(
    tx: &mut dyn Tx,
    p: &Parsed,
    code_hash: &CodeHash,
    lang: Lang,
    now: Timestamp,
) -> Result<CoverageDocument, ApiError> {
    let device_state = DeviceState::load(tx, &p.serial).await?;
    let code = tx.code(code_hash).await?.ok_or(Refusal::CodeNotFound)?;
    let verification = match &p.verification_id {
        Some(id) => {
            let record = tx
                .verification(id)
                .await?
                .ok_or(Refusal::VerificationNotAccepted)?;
            if record.serial != p.serial.as_str() {
                return Err(ApiError::field(
                    Refusal::VerificationNotAccepted,
                    "verification_id",
                    "this verification is for another device",
                ));
            }
            Some(record.case)
        }
        None => None,
    };
    let stored = device_state.coverage.as_ref();
    let device = Device {
        product: device_state.product,
        activated_at: device_state.device.activated_at,
        coverage: stored.map(|s| &s.coverage),
    };
    let facts = CodeFacts {
        product_id: &code.product_id,
        plan: code.plan,
        region: &code.region,
        used: code.used_at.is_some(),
    };
    let decision = device.activate(facts, verification.as_ref(), now)?;

    let activation_id = random_id();
    // The conditional update is the single-use guarantee; the unique activation_id
    // and code_hash columns are the backstop.
    if !tx.use_code(code_hash, &activation_id, now).await? {
        return Err(Refusal::CodeAlreadyUsed.into());
    }
    let extension = matches!(decision, Activation::Extension { .. });
    tx.insert_activation(&ActivationRecord {
        id: activation_id.clone(),
        code_hash: code_hash.clone(),
        serial: p.serial.clone(),
        extension,
        verification_id: p.verification_id.clone(),
        customer_name: p.customer.name.as_str().to_owned(),
        customer_email: p.customer.email.as_str().to_owned(),
        customer_phone: p.customer.phone.as_ref().map(|ph| ph.as_str().to_owned()),
        lang: lang.tag().to_owned(),
        at: now,
    })
    .await?;
    let coverage = match (decision, stored) {
        (Activation::Extension { term }, Some(s)) => {
            let seq = u32::try_from(s.coverage.terms().len()).map_err(anyhow::Error::from)?;
            tx.insert_term(&s.id, seq, &term, &activation_id).await?;
            let mut extended = s.coverage.clone();
            extended.extend(term);
            extended
        }
        (Activation::New { term, verified }, _) => {
            if verified {
                let id = p.verification_id.as_deref().unwrap_or_default();
                if !tx.use_verification(id, &activation_id, now).await? {
                    return Err(Refusal::VerificationNotAccepted.into());
                }
            }
            let coverage_id = random_id();
            tx.insert_coverage(&coverage_id, &p.serial, term.starts_at, now)
                .await?;
            tx.insert_term(&coverage_id, 0, &term, &activation_id)
                .await?;
            Coverage::begin(term)
        }
        (Activation::Extension { .. }, None) => {
            return Err(anyhow::anyhow!("the rules extended a device without a chain").into());
        }
    };
    let document =
        CoverageDocument::build(&p.serial, device_state.product, Some(&coverage), None, now);
    tx.enqueue_email(
        &activation_confirmation(&ActivationMail {
            lang,
            to: p.customer.email.as_str(),
            name: p.customer.name.as_str(),
            product: device_state.product,
            extension,
            coverage: &document,
        }),
        now,
    )
    .await?;
    let actor = format!("customer:{}", p.customer.email.masked());
    let subject = format!("device:{}", p.serial);
    let term = decision.term();
    tx.audit(
        &AuditEvent {
            actor: &actor,
            action: if extension {
                "coverage.extended"
            } else {
                "coverage.activated"
            },
            subject: &subject,
            details: json!({
                "activation_id": activation_id,
                "code": p.code.masked(),
                "plan": term.plan,
                "term_starts_at": term.starts_at,
                "term_ends_at": term.ends_at,
                "verification_id": p.verification_id,
            }),
        },
        now,
    )
    .await?;
    Ok(document)
}

fn replay(stored: StoredResponse, hash: &[u8]) -> Result<Answer, ApiError> {
    if stored.request_hash != hash {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "Idempotency-Key",
            "this key was used with another request body",
        ));
    }
    Ok(Answer {
        status: stored.status,
        body: stored.body,
    })
}

fn client_bucket(ip: IpAddr) -> String {
    format!("code-failures:client:{ip}")
}

fn serial_bucket(serial: &Serial) -> String {
    format!("code-failures:serial:{serial}")
}

async fn check_rate_limits(
    state: &AppState,
    caller: &Caller,
    serial: &Serial,
    now: Timestamp,
) -> Result<(), ApiError> {
    let limits = state.limits;
    let now = now.as_second();
    let mut tx = state.store.read().await?;
    let buckets = [
        (client_bucket(caller.ip), limits.failures_per_client),
        (serial_bucket(serial), limits.failures_per_serial),
    ];
    for (bucket, limit) in buckets {
        limits.check(tx.as_mut(), &bucket, limit, now).await?;
    }
    Ok(())
}

/// After a refusal: count an unknown code against the client and the serial, and keep
/// a rules refusal as the answer to the idempotency key.
async fn after_refusal(
    state: &AppState,
    caller: &Caller,
    parsed: &Parsed,
    error: &ApiError,
    hash: Vec<u8>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(refusal) = error.refusal() else {
        return Ok(());
    };
    let count_failure = refusal == Refusal::CodeNotFound;
    let keep = caller.idempotency_key.as_ref();
    if !count_failure && keep.is_none() {
        return Ok(());
    }
    let mut tx = state.store.write().await?;
    if count_failure {
        let window = state.limits.window_seconds;
        tx.record_failure(&client_bucket(caller.ip), now.as_second(), window)
            .await?;
        tx.record_failure(&serial_bucket(&parsed.serial), now.as_second(), window)
            .await?;
        tracing::info!(serial = %parsed.serial, client = %caller.ip, "unknown code");
    }
    if let Some(key) = keep {
        let stored = StoredResponse {
            request_hash: hash,
            status: status_of(refusal).as_u16(),
            body: error.problem_json(),
        };
        tx.save_idempotent_response(key, &stored, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
