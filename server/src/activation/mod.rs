//! `POST /api/activations`: activate or extend a plan (R1-R13), exactly once per code.
//! Codes are kept hashed ([`codes`]); a retried request gets the first answer again
//! ([`idempotency`]); guessing codes is limited per client and per serial.

mod check;
pub mod codes;
pub mod idempotency;

use crate::audit::{self, AuditEvent};
use crate::coverage::devices::parse_serial;
use crate::coverage::{DeviceState, chains};
use crate::db::Tx;
use crate::db::column::secs;
use crate::email::{self, messages::Activated};
use crate::http::extract::{ApiJson, ClientAddr, PreferredLang};
use crate::http::problem::{ApiError, problem_response, status_of};
use crate::ids::{is_id, random_id};
use crate::rate_limit::client_key;
use crate::state::AppState;
use crate::verification::cases;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care_rules::api::{ActivationRequest, CoverageDocument};
use care_rules::{
    Activation, Code, CodeFacts, Coverage, Customer, Lang, Refusal, Serial, Timestamp,
};
use codes::CodeHash;
use idempotency::StoredResponse;
use serde_json::json;
use sqlx::Row;
use std::net::IpAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(check::check))
}

/// Activates a plan on a device, or extends its coverage, by rules R1-R13.
///
/// With an `Idempotency-Key`, a repeated request with the same body gets the first
/// answer again; the same key with another body is refused (422).
#[utoipa::path(post, path = "/api/activations", tag = "coverage",
    request_body = ActivationRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 visible ASCII characters"),
        ("Accept-Language" = Option<String>, Header, description = "`pl` (default) or `en`: the language of the confirmation email"),
    ),
    responses(
        (status = 201, body = CoverageDocument, description = "Activated or extended"),
        (status = 404, description = "`code_not_found`, `device_not_found`"),
        (status = 409, description = "`code_already_used`"),
        (status = 422, description = "`invalid_request`, `invalid_code_format`, `invalid_serial`, `code_product_mismatch`, `code_region_mismatch`, `verification_required`, `verification_not_accepted`, `verification_window_closed`, `extension_requires_annual_plan`, `extension_window_closed`, `coverage_cap_exceeded`"),
        (status = 429, description = "`rate_limited`, with `Retry-After`"),
    ))]
async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    PreferredLang(lang): PreferredLang,
    headers: HeaderMap,
    body: ApiJson<ActivationRequest>,
) -> Result<Response, ApiError> {
    let idempotency_key = headers
        .get(idempotency::HEADER)
        .map(idempotency::parse_key)
        .transpose()?;
    let caller = Caller {
        ip: client,
        lang,
        idempotency_key,
    };
    let answer = activate(&state, body.value, caller).await?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::CREATED);
    if status.is_success() {
        Ok((
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            answer.body,
        )
            .into_response())
    } else {
        // A refusal replayed for its idempotency key.
        Ok(problem_response(status, answer.body))
    }
}

/// Who asks, in what language, and under which idempotency key.
struct Caller {
    ip: IpAddr,
    lang: Lang,
    idempotency_key: Option<String>,
}

/// A request parsed into domain types: nothing reaches the rules unparsed.
struct Parsed {
    code: Code,
    serial: Serial,
    customer: Customer,
    verification_id: Option<String>,
}

fn parse_code(code: &str) -> Result<Code, ApiError> {
    Code::parse(code).map_err(|r| {
        ApiError::field(
            r,
            "code",
            "16 characters as on the card; the check character does not match",
        )
    })
}

fn parse_verification_id(id: Option<&String>) -> Result<Option<String>, ApiError> {
    match id {
        Some(id) if !is_id(id) => Err(ApiError::field(
            Refusal::InvalidRequest,
            "verification_id",
            "not a verification case id",
        )),
        other => Ok(other.cloned()),
    }
}

fn parse(req: &ActivationRequest) -> Result<Parsed, ApiError> {
    let code = parse_code(&req.code)?;
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
    let verification_id = parse_verification_id(req.verification_id.as_ref())?;
    Ok(Parsed {
        code,
        serial,
        customer,
        verification_id,
    })
}

async fn activate(
    state: &AppState,
    req: ActivationRequest,
    caller: Caller,
) -> Result<StoredResponse, ApiError> {
    let now = state.clock.now();
    let hash = idempotency::request_hash(&req);
    if let Some(key) = &caller.idempotency_key {
        let mut tx = state.db.read().await?;
        if let Some(stored) = idempotency::find(&mut tx, key).await? {
            return idempotency::replay(stored, &hash);
        }
    }
    let parsed = parse(&req)?;
    let buckets = Buckets::new(caller.ip, &parsed.serial);
    buckets.slow_down(state, now).await?;
    let code_hash = state.code_key.hash(&parsed.code);

    let mut tx = state.db.write().await?;
    if let Some(key) = &caller.idempotency_key {
        // Another request with this key may have finished while we waited.
        if let Some(stored) = idempotency::find(&mut tx, key).await? {
            return idempotency::replay(stored, &hash);
        }
    }
    buckets.check(state, &mut tx, now).await?;
    match apply(state, &mut tx, &parsed, &code_hash, caller.lang, now).await {
        Ok(document) => {
            let body = serde_json::to_string(&document).map_err(anyhow::Error::from)?;
            let answer = StoredResponse {
                request_hash: hash,
                status: 201,
                body,
            };
            if let Some(key) = &caller.idempotency_key {
                idempotency::save(&mut tx, key, &answer, now).await?;
            }
            tx.commit().await?;
            state.outbox.notify_one();
            tracing::info!(serial = %parsed.serial, code = %parsed.code.masked(), "plan activated");
            Ok(answer)
        }
        Err(error) if error.refusal() == Some(Refusal::CodeNotFound) => {
            // Nothing was written before the code was looked up: the failure is counted
            // in this same transaction.
            buckets.record_failure(state, &mut tx, now).await?;
            if let Some(key) = &caller.idempotency_key {
                idempotency::save(&mut tx, key, &refusal_answer(&error, hash), now).await?;
            }
            tx.commit().await?;
            tracing::info!(serial = %parsed.serial, client = %caller.ip, "unknown code");
            Err(error)
        }
        Err(error) => {
            if let Some(key) = &caller.idempotency_key {
                // On PostgreSQL a request with the same key may have committed while
                // this one waited for the device: its answer is this one's too.
                if let Some(stored) = idempotency::find(&mut tx, key).await? {
                    return idempotency::replay(stored, &hash);
                }
            }
            drop(tx);
            keep_refusal(state, &caller, &error, hash, now).await?;
            Err(error)
        }
    }
}

/// The serials an address activated or extended plans for, the latest activation
/// first (for the owner's page). `email` lower-cased.
pub async fn serials_of_owner(tx: &mut Tx, email: &str) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT serial, MAX(created_at) AS latest FROM activations
         WHERE lower(customer_email) = lower($1) GROUP BY serial ORDER BY latest DESC, serial",
    )
    .bind(email)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|(serial, _)| serial).collect())
}

/// An activation as its owner's data export shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ActivationRecord {
    pub serial: String,
    /// `new` or `extension`.
    pub kind: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The activations an address made, newest first (for the owner's data export).
/// `email` lower-cased.
pub async fn of_owner(tx: &mut Tx, email: &str) -> anyhow::Result<Vec<ActivationRecord>> {
    let rows = sqlx::query(
        "SELECT serial, kind, customer_name, customer_email, customer_phone, created_at
         FROM activations WHERE lower(customer_email) = lower($1) ORDER BY created_at DESC, id",
    )
    .bind(email)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ActivationRecord {
                serial: r.try_get("serial")?,
                kind: r.try_get("kind")?,
                name: r.try_get("customer_name")?,
                email: r.try_get("customer_email")?,
                phone: r.try_get("customer_phone")?,
                created_at: crate::db::column::instant(r.try_get("created_at")?)?,
            })
        })
        .collect()
}

/// Erases an address's personal data from its activations (see `owner::erasure`);
/// how many there were.
pub async fn erase_owner(tx: &mut Tx, email: &str, erased: &str) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "UPDATE activations SET customer_name = $2, customer_email = '', customer_phone = NULL
         WHERE lower(customer_email) = lower($1)",
    )
    .bind(email)
    .bind(erased)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

async fn insert_record(
    tx: &mut Tx,
    id: &str,
    p: &Parsed,
    code_hash: &CodeHash,
    extension: bool,
    lang: Lang,
    at: Timestamp,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO activations (id, code_hash, serial, kind, verification_id,
             customer_name, customer_email, customer_phone, lang, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&code_hash.0)
    .bind(p.serial.as_str())
    .bind(if extension { "extension" } else { "new" })
    .bind(&p.verification_id)
    .bind(p.customer.name.as_str())
    .bind(p.customer.email.as_str())
    .bind(p.customer.phone.as_ref().map(|ph| ph.as_str()))
    .bind(lang.as_str())
    .bind(secs(at))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// What the rules decided on an activation, with the facts they decided on.
pub(crate) struct Decided {
    pub device_state: DeviceState,
    pub plan: care_rules::Plan,
    pub decision: Activation,
}

/// Reads the facts of an activation (the device, the code, the verification case) in
/// `tx` and asks the rules; nothing is written.
pub(crate) async fn decide(
    tx: &mut Tx,
    serial: &Serial,
    code_hash: &CodeHash,
    verification_id: Option<&str>,
    now: Timestamp,
) -> Result<Decided, ApiError> {
    let device_state = DeviceState::load(tx, serial).await?;
    let code = codes::find(tx, code_hash)
        .await?
        .ok_or(Refusal::CodeNotFound)?;
    let verification = match verification_id {
        Some(id) => {
            let record = cases::find(tx, id)
                .await?
                .ok_or(Refusal::VerificationNotAccepted)?;
            if record.serial != serial.as_str() {
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
    let device = device_state.rules_device();
    let facts = CodeFacts {
        product_id: &code.product_id,
        plan: code.plan,
        region: &code.region,
        used: code.used_at.is_some(),
    };
    let decision = match device.activate(facts, verification.as_ref(), now) {
        Ok(decision) => decision,
        Err(Refusal::CodeProductMismatch) => {
            return Err(ApiError::ProductMismatch {
                code_product_id: code.product_id.clone(),
                device_product_id: device_state.product.id.to_owned(),
            });
        }
        Err(refusal) => return Err(refusal.into()),
    };
    Ok(Decided {
        device_state,
        plan: code.plan,
        decision,
    })
}

/// The coverage a decision leaves.
pub(crate) fn coverage_after(decided: &Decided) -> Coverage {
    match (decided.decision, decided.device_state.coverage.as_ref()) {
        (Activation::Extension { term }, Some(s)) => {
            let mut extended = s.coverage.clone();
            extended.extend(term);
            extended
        }
        (decision, _) => Coverage::begin(decision.term()),
    }
}

/// The activation inside one write transaction: read the facts, ask the rules, write
/// the outcome. Any refusal leaves the database as it was.
async fn apply(
    state: &AppState,
    tx: &mut Tx,
    p: &Parsed,
    code_hash: &CodeHash,
    lang: Lang,
    now: Timestamp,
) -> Result<CoverageDocument, ApiError> {
    let decided = decide(tx, &p.serial, code_hash, p.verification_id.as_deref(), now).await?;
    let decision = decided.decision;
    let device_state = &decided.device_state;
    let stored = device_state.coverage.as_ref();
    let activation_id = random_id();
    // The conditional update is the single-use guarantee; the unique activation_id
    // and code_hash columns are the backstop.
    if !codes::mark_used(tx, code_hash, &activation_id, now).await? {
        return Err(Refusal::CodeAlreadyUsed.into());
    }
    let extension = matches!(decision, Activation::Extension { .. });
    insert_record(tx, &activation_id, p, code_hash, extension, lang, now).await?;
    match (decision, stored) {
        (Activation::Extension { term }, Some(s)) => {
            let seq = u32::try_from(s.coverage.terms().len()).map_err(anyhow::Error::from)?;
            chains::add_term(tx, &s.id, seq, &term, &activation_id).await?;
        }
        (Activation::New { term, verified }, _) => {
            if verified {
                let id = p.verification_id.as_deref().unwrap_or_default();
                if !cases::mark_used(tx, id, &activation_id, now).await? {
                    return Err(Refusal::VerificationNotAccepted.into());
                }
            }
            chains::begin(tx, &p.serial, &term, &activation_id, now).await?;
        }
        (Activation::Extension { .. }, None) => {
            return Err(anyhow::anyhow!("the rules extended a device without a chain").into());
        }
    }
    let coverage = coverage_after(&decided);
    let document =
        CoverageDocument::build(&p.serial, device_state.product, Some(&coverage), None, now);
    let message = Activated::new(
        lang,
        p.customer.name.as_str(),
        device_state.product,
        extension,
        &document,
        state.links.coverage(p.serial.as_str()),
    );
    email::queue(tx, p.customer.email.as_str(), &message, now).await?;
    let term = decision.term();
    audit::record(
        tx,
        &AuditEvent {
            actor: &format!("customer:{}", p.customer.email.masked()),
            action: if extension {
                "coverage.extended"
            } else {
                "coverage.activated"
            },
            subject: &format!("device:{}", p.serial),
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

/// The counters of wrong codes an attempt is checked against: the client's and the
/// (serial, client) pair's are hard limits; the serial's alone only slows answers down.
struct Buckets {
    client: String,
    pair: String,
    serial: String,
}

impl Buckets {
    fn new(ip: IpAddr, serial: &Serial) -> Buckets {
        let client = client_key(ip);
        Buckets {
            pair: format!("code-failures:serial:{serial}:client:{client}"),
            client: format!("code-failures:client:{client}"),
            serial: format!("code-failures:serial:{serial}"),
        }
    }

    /// Guesses against this serial from anywhere slow its answers down (never lock
    /// it); to be waited out before the write transaction begins.
    async fn slow_down(&self, state: &AppState, now: Timestamp) -> Result<(), ApiError> {
        let pause = state
            .limits
            .slowdown(&state.db, &self.serial, now.as_second())
            .await?;
        tokio::time::sleep(pause).await;
        Ok(())
    }

    /// The hard limits, checked where a wrong code is recorded, with the counters
    /// locked: requests racing each other are counted one after the other.
    async fn check(&self, state: &AppState, tx: &mut Tx, now: Timestamp) -> Result<(), ApiError> {
        let limits = state.limits;
        let now = now.as_second();
        limits
            .check(tx, &self.client, limits.failures_per_client, now)
            .await?;
        limits
            .check(tx, &self.pair, limits.failures_per_serial, now)
            .await
    }

    /// Counts a wrong code against the client, the pair and the serial.
    async fn record_failure(
        &self,
        state: &AppState,
        tx: &mut Tx,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        for bucket in [&self.client, &self.pair, &self.serial] {
            state.limits.record(tx, bucket, now.as_second()).await?;
        }
        Ok(())
    }
}

fn refusal_answer(error: &ApiError, hash: Vec<u8>) -> StoredResponse {
    StoredResponse {
        request_hash: hash,
        status: error.refusal().map_or(500, |r| status_of(r).as_u16()),
        body: error.problem_json(),
    }
}

/// After a refusal of the rules: keep it as the answer to the idempotency key.
async fn keep_refusal(
    state: &AppState,
    caller: &Caller,
    error: &ApiError,
    hash: Vec<u8>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let (Some(key), Some(_)) = (caller.idempotency_key.as_ref(), error.refusal()) else {
        return Ok(());
    };
    let mut tx = state.db.write().await?;
    idempotency::save(&mut tx, key, &refusal_answer(error, hash), now).await?;
    tx.commit().await?;
    Ok(())
}
