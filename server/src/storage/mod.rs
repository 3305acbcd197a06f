//! The storage interface. Handlers never see SQL: they open a transaction, read the
//! facts the rules need, ask the rules, and write the outcome through these methods.
//! One implementation (`sql`) serves SQLite and PostgreSQL with the same queries.

mod sql;

pub use sql::{Dialect, SqlStore};

use crate::codes::CodeHash;
use anyhow::Result;
use async_trait::async_trait;
use care_rules::{
    ClaimOption, ClaimStatus, Coverage, Money, Plan, Refusal, RejectReason, Serial, Term,
    Timestamp, VerificationCase,
};
use std::sync::Arc;

/// Opens the store a `DATABASE_URL` names (`sqlite://PATH` or `postgres://…`),
/// creating and migrating it if needed.
pub async fn open(database_url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(database_url).await?))
}

#[async_trait]
pub trait Store: Send + Sync {
    /// A transaction that will write: it holds the write lock from its start, so what
    /// it reads stays true until it commits.
    async fn write(&self) -> Result<Box<dyn Tx>>;
    /// A transaction that only reads, on a consistent snapshot.
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// The next email due for delivery at `now`, leased to the caller until
    /// `lease_until`.
    async fn lease_due_email(&self, now: i64, lease_until: i64) -> Result<Option<OutboxEmail>>;
    async fn mark_email_sent(&self, id: i64, at: i64) -> Result<()>;
    async fn mark_email_failed(&self, id: i64, error: &str, next_attempt_at: i64) -> Result<()>;
}

/// One transaction. Dropping it without `commit` rolls it back.
#[async_trait]
pub trait Tx: Send {
    async fn commit(self: Box<Self>) -> Result<()>;

    async fn device(&mut self, serial: &Serial) -> Result<Option<DeviceRecord>>;
    /// `false` when the serial exists already.
    async fn insert_device(&mut self, device: &DeviceRecord, at: Timestamp) -> Result<bool>;
    async fn device_count(&mut self) -> Result<u64>;

    async fn code(&mut self, hash: &CodeHash) -> Result<Option<CodeRecord>>;
    /// `false` when the code exists already.
    async fn insert_code(&mut self, code: &NewCode<'_>, at: Timestamp) -> Result<bool>;
    /// Marks an unused code used by `activation_id`; `false` when it was used already.
    /// This conditional update is what makes a code win one activation only.
    async fn use_code(
        &mut self,
        hash: &CodeHash,
        activation_id: &str,
        at: Timestamp,
    ) -> Result<bool>;

    /// The latest chain of the device that holds it now, with its used replacements.
    async fn latest_coverage(&mut self, serial: &Serial) -> Result<Option<StoredCoverage>>;
    async fn insert_coverage(
        &mut self,
        id: &str,
        serial: &Serial,
        started_at: Timestamp,
        at: Timestamp,
    ) -> Result<()>;
    async fn insert_term(
        &mut self,
        coverage_id: &str,
        seq: u32,
        term: &Term,
        activation_id: &str,
    ) -> Result<()>;

    async fn insert_activation(&mut self, activation: &ActivationRecord) -> Result<()>;

    async fn verification(&mut self, id: &str) -> Result<Option<VerificationRecord>>;
    async fn insert_verification(&mut self, record: &VerificationRecord) -> Result<()>;
    /// Cases in a stored status (`None`: all), oldest submission first.
    async fn verifications(&mut self, status: Option<&str>) -> Result<Vec<VerificationRecord>>;
    /// Marks an accepted case used by `activation_id`; `false` if it was not accepted.
    async fn use_verification(
        &mut self,
        id: &str,
        activation_id: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Moves an awaiting case to review with its finished upload; `false` if it was
    /// not awaiting one.
    async fn submit_verification(
        &mut self,
        id: &str,
        upload_id: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Records a decision on a case under review; `false` if it was not under review.
    async fn decide_verification(&mut self, decision: &Decision<'_>) -> Result<bool>;

    async fn insert_upload(&mut self, upload: &UploadRecord) -> Result<()>;
    async fn upload(&mut self, id: &str) -> Result<Option<UploadRecord>>;
    /// Uploads of a case that are neither finished nor terminated.
    async fn open_uploads(&mut self, verification_id: &str) -> Result<Vec<UploadRecord>>;
    /// Moves the durable offset from `from` to `to`; `false` if it was not at `from`.
    async fn advance_upload(&mut self, id: &str, from: u64, to: u64) -> Result<bool>;
    async fn finish_upload(&mut self, id: &str, at: Timestamp) -> Result<()>;
    /// Ends an unfinished upload: no chunk is counted into it any more. Nothing for a
    /// finished one.
    async fn terminate_upload(&mut self, id: &str, at: Timestamp) -> Result<()>;
    /// Uploads whose stored bytes are due for deletion: finished videos of cases
    /// decided before `decided_before`, and unfinished uploads terminated, or created
    /// before `abandoned_before` and still short of their length (a whole one is
    /// finished by `recover`, not deleted).
    async fn uploads_to_delete(
        &mut self,
        decided_before: Timestamp,
        abandoned_before: Timestamp,
    ) -> Result<Vec<String>>;
    async fn mark_video_deleted(&mut self, id: &str, at: Timestamp) -> Result<()>;

    async fn insert_claim(&mut self, claim: &ClaimRecord) -> Result<()>;
    async fn claim(&mut self, id: &str) -> Result<Option<ClaimRecord>>;
    /// Claims in a status and/or of a device, oldest first.
    async fn claims(
        &mut self,
        status: Option<ClaimStatus>,
        serial: Option<&str>,
    ) -> Result<Vec<ClaimRecord>>;
    /// Writes the claim's new state if it is still `from`; `false` if another request
    /// moved it first.
    async fn update_claim(&mut self, claim: &ClaimRecord, from: ClaimStatus) -> Result<bool>;

    /// A chain by its id, wherever it is now (R11 may have moved it).
    async fn coverage_by_id(&mut self, id: &str) -> Result<Option<StoredCoverage>>;
    /// Counts a replacement in the ledger; the ledger's keys refuse a second one for the
    /// same claim or number.
    async fn insert_replacement(&mut self, entry: &LedgerRecord) -> Result<()>;
    async fn ledger(&mut self, coverage_id: &str) -> Result<Vec<LedgerRecord>>;
    /// R11: the chain moves to `to`, and `from` shows where it went.
    async fn move_coverage(&mut self, coverage_id: &str, from: &Serial, to: &Serial) -> Result<()>;

    /// Audit events about any of `subjects`, oldest first.
    async fn audit_trail(&mut self, subjects: &[String]) -> Result<Vec<AuditRecord>>;

    /// Latest chains ending in `(after, until]`, with the owner who activated their
    /// last term.
    async fn coverages_ending(
        &mut self,
        after: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<EndingCoverage>>;
    /// Records a reminder; `false` if it was sent already.
    async fn record_reminder(
        &mut self,
        coverage_id: &str,
        kind: &str,
        ends_at: Timestamp,
        at: Timestamp,
    ) -> Result<bool>;

    async fn insert_session(
        &mut self,
        token_hash: &[u8],
        email: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// The staff member of a session that has not expired at `now`.
    async fn session(&mut self, token_hash: &[u8], now: Timestamp) -> Result<Option<StaffRecord>>;
    async fn delete_session(&mut self, token_hash: &[u8]) -> Result<()>;

    async fn idempotent_response(&mut self, key: &str) -> Result<Option<StoredResponse>>;
    /// Keeps the first answer for `key`; a second save of the same key changes nothing.
    async fn save_idempotent_response(
        &mut self,
        key: &str,
        response: &StoredResponse,
        at: Timestamp,
    ) -> Result<()>;

    async fn enqueue_email(&mut self, email: &NewEmail, at: Timestamp) -> Result<()>;
    async fn audit(&mut self, event: &AuditEvent<'_>, at: Timestamp) -> Result<()>;

    /// Failures counted in `bucket`'s current window, which started at the returned
    /// instant; windows older than `window` seconds count as empty.
    async fn failures(&mut self, bucket: &str, now: i64, window: i64) -> Result<(u32, i64)>;
    async fn record_failure(&mut self, bucket: &str, now: i64, window: i64) -> Result<()>;

    /// `false` when the email is registered already.
    async fn insert_staff(&mut self, staff: &StaffRecord, at: Timestamp) -> Result<bool>;
    async fn staff(&mut self, email: &str) -> Result<Option<StaffRecord>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub serial: Serial,
    pub product_id: String,
    pub activated_at: Option<Timestamp>,
    pub replaced_by: Option<Serial>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub product_id: String,
    pub plan: Plan,
    pub region: String,
    pub used_at: Option<Timestamp>,
}

pub struct NewCode<'a> {
    pub hash: &'a CodeHash,
    pub hint: &'a str,
    pub product_id: &'a str,
    pub plan: Plan,
    pub region: &'a str,
}

#[derive(Debug, Clone)]
pub struct StoredCoverage {
    pub id: String,
    pub coverage: Coverage,
}

pub struct ActivationRecord {
    pub id: String,
    pub code_hash: CodeHash,
    pub serial: Serial,
    pub extension: bool,
    pub verification_id: Option<String>,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub lang: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub id: String,
    pub serial: String,
    pub email: String,
    /// The language of the emails about this case.
    pub lang: String,
    pub case: VerificationCase,
    pub created_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    /// The finished upload under review.
    pub upload_id: Option<String>,
}

/// A staff decision on a case under review.
pub struct Decision<'a> {
    pub id: &'a str,
    pub accept: bool,
    pub reason: Option<RejectReason>,
    pub note: Option<&'a str>,
    pub by: &'a str,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub id: String,
    pub verification_id: String,
    pub length: u64,
    /// Bytes durable in storage.
    pub received: u64,
    /// The `Upload-Metadata` header as the client sent it.
    pub metadata: String,
    pub content_type: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub terminated_at: Option<Timestamp>,
    pub video_deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: Vec<u8>,
    pub status: u16,
    pub body: String,
}

pub struct NewEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attempts: u32,
}

/// Who or what changed which record: `actor` is `customer:j***@example.pl`,
/// `operator`, `staff:…` or `system`; `subject` is `device:SERIAL`, `code:…7K2Q`, ….
pub struct AuditEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub id: String,
    pub serial: String,
    pub product_id: String,
    pub coverage_id: Option<String>,
    pub description: String,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub shipping_address: String,
    pub lang: String,
    pub status: ClaimStatus,
    pub filed_at: Timestamp,
    /// R10 as judged when filed.
    pub eligible: bool,
    pub refusal: Option<Refusal>,
    pub quote: Option<(Money, String)>,
    pub option: Option<ClaimOption>,
    pub paid: Option<Money>,
    pub tracking: Option<String>,
    pub replacement_serial: Option<String>,
    pub shipped_at: Option<Timestamp>,
    pub decline_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    pub coverage_id: String,
    pub number: u32,
    pub fee: Money,
    pub claim_id: Option<String>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingCoverage {
    pub coverage_id: String,
    pub serial: String,
    pub ends_at: Timestamp,
    pub email: String,
    pub name: String,
    pub lang: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reviewer,
    Service,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "reviewer" => Some(Role::Reviewer),
            "service" => Some(Role::Service),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub email: String,
    pub role: Role,
    pub password_hash: String,
}
