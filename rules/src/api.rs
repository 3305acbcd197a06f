//! The JSON documents of the HTTP API (spec §6) that the server writes and the app
//! reads: one definition for both sides.

use crate::catalog::{CURRENCY, PRODUCTS, Plan, Product, REGION};
use crate::claim::{ClaimOption, ClaimStatus, ClaimStep};
use crate::coverage::{Coverage, CoverageStatus, WarrantyReward};
use crate::money::Money;
use crate::refusal::Refusal;
use crate::serial::Serial;
use crate::staff::Role;
use crate::term::Term;
use crate::time::Timestamp;
use crate::verification::{RejectReason, VerificationStatus};
use serde::{Deserialize, Serialize};

/// `GET /api/coverage/{serial}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageDocument {
    pub serial: String,
    pub product_id: String,
    pub status: CoverageStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub starts_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub ends_at: Option<Timestamp>,
    pub terms: Vec<Term>,
    pub replacements: Replacements,
    /// The fee of the next replacement; `null` when none is left.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub next_fee_grosze: Option<Money>,
    pub extension: ExtensionView,
    pub warranty_reward: WarrantyRewardView,
    pub replaced_by: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacements {
    pub total: u32,
    pub used: u32,
    pub remaining: u32,
}

/// Whether an annual code would extend the coverage now, until when, or why not.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionView {
    pub allowed: bool,
    /// When the extension window closes (or closed); `null` without a coverage.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub deadline: Option<Timestamp>,
    pub refusal: Option<Refusal>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarrantyRewardView {
    pub status: WarrantyReward,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub warranty_until: Option<Timestamp>,
}

impl CoverageDocument {
    /// The document for `serial` at `now`, from its latest chain (`None` if it never had
    /// one, or if the chain moved to `replaced_by`).
    pub fn build(
        serial: &Serial,
        product: &Product,
        coverage: Option<&Coverage>,
        replaced_by: Option<&Serial>,
        now: Timestamp,
    ) -> CoverageDocument {
        let base = CoverageDocument {
            serial: serial.as_str().to_owned(),
            product_id: product.id.to_owned(),
            status: CoverageStatus::None,
            starts_at: None,
            ends_at: None,
            terms: Vec::new(),
            replacements: Replacements {
                total: 0,
                used: 0,
                remaining: 0,
            },
            next_fee_grosze: None,
            extension: ExtensionView {
                allowed: false,
                deadline: None,
                refusal: Some(Refusal::CoverageNotActive),
            },
            warranty_reward: WarrantyRewardView {
                status: WarrantyReward::NotApplicable,
                warranty_until: None,
            },
            replaced_by: replaced_by.map(|s| s.as_str().to_owned()),
        };
        let Some(c) = coverage else {
            return base;
        };
        let refusal = c.extension(Plan::Annual, now).err();
        let (reward, warranty_until) = c.warranty_reward(product, now);
        CoverageDocument {
            status: c.status(now),
            starts_at: Some(c.starts_at()),
            ends_at: Some(c.ends_at()),
            terms: c.terms().to_vec(),
            replacements: Replacements {
                total: c.total(),
                used: c.used(),
                remaining: c.remaining(now),
            },
            next_fee_grosze: c.next_fee(product, now),
            extension: ExtensionView {
                allowed: refusal.is_none(),
                deadline: Some(c.extension_deadline()),
                refusal,
            },
            warranty_reward: WarrantyRewardView {
                status: reward,
                warranty_until,
            },
            ..base
        }
    }
}

/// `GET /api/devices/{serial}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDocument {
    pub serial: String,
    pub product_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub activated_at: Option<Timestamp>,
    pub coverage: Option<CoverageDocument>,
}

/// `GET /api/catalog`: the catalogue of §3 with its plans.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDocument {
    pub region: String,
    pub currency: String,
    pub plans: Vec<PlanEntry>,
    pub products: Vec<ProductEntry>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEntry {
    pub id: Plan,
    pub months: i32,
    pub replacements: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEntry {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u32>))]
    pub fee_schedule_grosze: Vec<Money>,
    pub warranty_reward_eligible: bool,
}

impl CatalogDocument {
    pub fn current() -> CatalogDocument {
        CatalogDocument {
            region: REGION.to_owned(),
            currency: CURRENCY.to_owned(),
            plans: Plan::ALL
                .iter()
                .map(|&p| PlanEntry {
                    id: p,
                    months: p.months(),
                    replacements: p.replacements(),
                })
                .collect(),
            products: PRODUCTS
                .iter()
                .map(|p| ProductEntry {
                    id: p.id.to_owned(),
                    name: p.name.to_owned(),
                    fee_schedule_grosze: p.fee_schedule.to_vec(),
                    warranty_reward_eligible: p.warranty_reward,
                })
                .collect(),
        }
    }
}

/// `POST /api/activations`: activate a plan on a device, or extend its coverage.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationRequest {
    /// As on the card: `XXXX-XXXX-XXXX-XXXX`; case, spaces and dashes do not matter.
    pub code: String,
    pub serial: String,
    pub customer: CustomerInput,
    /// Must be `true`: the owner accepts the terms, including §5 points 5.6-5.7.
    pub accept_terms: bool,
    /// An accepted verification case, needed when the device is older than 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_id: Option<String>,
}

/// `POST /api/activations/check`: an activation's rules run on a code and a device
/// before the owner types their details. Nothing is written.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationCheckRequest {
    pub code: String,
    pub serial: String,
    /// The plan the owner believes the card is for; the answer says the code's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_id: Option<String>,
}

/// What an activation with this code would do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// A new coverage starts now.
    Activate,
    /// The open coverage gets another term.
    Extend,
}

/// The answer of `POST /api/activations/check`: what the owner would get.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationCheck {
    pub outcome: CheckOutcome,
    /// The product of the code (and so of the device).
    pub product_id: String,
    /// The plan of the code.
    pub plan: Plan,
    /// The coverage after the activation: its start, its end and its replacements.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub ends_at: Timestamp,
    pub replacements: Replacements,
    /// The fee of the first replacement then.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub next_fee_grosze: Option<Money>,
}

impl ActivationCheck {
    /// The answer from the coverage an activation would leave.
    pub fn from_coverage(
        outcome: CheckOutcome,
        plan: Plan,
        after: &CoverageDocument,
    ) -> Option<Self> {
        Some(ActivationCheck {
            outcome,
            product_id: after.product_id.clone(),
            plan,
            starts_at: after.starts_at?,
            ends_at: after.ends_at?,
            replacements: after.replacements,
            next_fee_grosze: after.next_fee_grosze,
        })
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// `POST /api/verifications`: open a case to send a verification video.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    pub serial: String,
    pub email: String,
}

/// The answer to opening a case: where to send the video (tus creation URL).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationCreated {
    pub id: String,
    pub status: VerificationStatus,
    pub upload_url: String,
    pub max_bytes: u64,
}

/// `GET /api/verifications/{id}`: where a case stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationDocument {
    pub id: String,
    pub serial: String,
    pub status: VerificationStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub submitted_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub decided_at: Option<Timestamp>,
    /// Until when an accepted case can carry an activation (72 hours).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub activation_deadline: Option<Timestamp>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    /// An upload under way, to resume after a reload.
    pub upload: Option<UploadProgress>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadProgress {
    pub url: String,
    pub offset: u64,
    pub length: u64,
}

/// `POST /api/staff/login`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A signed-in staff member (`GET /api/staff/me`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub email: String,
    /// `reviewer` (videos) or `service` (claims).
    pub role: Role,
}

/// A case in the staff's video queue; personal data masked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: String,
    pub serial: String,
    pub product_id: Option<String>,
    /// `j***@example.pl`
    pub email: String,
    pub status: VerificationStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub submitted_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub decided_at: Option<Timestamp>,
    pub reject_reason: Option<RejectReason>,
    /// Where to stream the video from, while it is kept.
    pub video_url: Option<String>,
}

/// A page of the video queue: `next_cursor` asks for the next one (`?cursor=`), `null`
/// on the last.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub items: Vec<ReviewItem>,
    pub next_cursor: Option<String>,
}

/// `POST /api/staff/verifications/{id}/decision`: accept, or reject with a reason
/// (`other` needs a note).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub accept: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /api/claims`: a service request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub serial: String,
    /// What happened to the device (1 to 2000 characters).
    pub description: String,
    pub customer: CustomerInput,
    /// Where to send the device back (5 to 500 characters).
    pub shipping_address: String,
}

/// Care Refresh for a claim (R10): whether it may be used and its fee, or why not.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareRefreshOffer {
    pub eligible: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub fee_grosze: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// The answer to filing a claim.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCreated {
    pub id: String,
    /// The short number people quote (`CR-` and 8 characters); it grants no access.
    pub number: String,
    pub status: ClaimStatus,
    pub care_refresh: CareRefreshOffer,
}

/// `GET /api/claims/{id}`: the claim as its owner follows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDocument {
    pub id: String,
    /// The short number people quote (`CR-` and 8 characters); it grants no access.
    pub number: String,
    /// Where the owner sends the device.
    pub service_address: String,
    pub serial: String,
    pub product_id: String,
    pub status: ClaimStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub filed_at: Timestamp,
    pub description: String,
    pub care_refresh: CareRefreshOffer,
    pub quote: Option<Quote>,
    pub option: Option<ClaimOption>,
    /// What to pay and how, while a payment is due.
    pub payment: Option<PaymentInstructions>,
    pub shipment: Option<Shipment>,
    pub decline_reason: Option<String>,
    /// Every status the claim went through, oldest first.
    pub history: Vec<ClaimEvent>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub amount_grosze: Money,
    pub note: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstructions {
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub amount_grosze: Money,
    /// The transfer title that ties the payment to the claim.
    pub reference: String,
    pub account: String,
    /// Card and BLIK can be paid on the page (`POST /api/claims/{id}/payment`).
    pub online: bool,
    /// Why the last online attempt failed, until another one is made.
    pub last_failure: Option<PaymentFailure>,
}

/// Why an online payment failed, in words the owner can act on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentFailure {
    CardDeclined,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,
    /// 3-D Secure was not completed.
    AuthenticationFailed,
    /// The BLIK code was wrong or has expired (they last two minutes).
    BlikCodeInvalid,
    Other,
}

crate::wire_names!(PaymentFailure {
    CardDeclined => "card_declined",
    InsufficientFunds => "insufficient_funds",
    ExpiredCard => "expired_card",
    IncorrectCvc => "incorrect_cvc",
    AuthenticationFailed => "authentication_failed",
    BlikCodeInvalid => "blik_code_invalid",
    Other => "other",
});

impl PaymentFailure {
    /// From the provider's error `code` and `decline_code` (Stripe's names).
    pub fn from_provider(code: Option<&str>, decline_code: Option<&str>) -> PaymentFailure {
        match (code.unwrap_or_default(), decline_code.unwrap_or_default()) {
            (_, "insufficient_funds") => PaymentFailure::InsufficientFunds,
            ("expired_card", _) | (_, "expired_card") => PaymentFailure::ExpiredCard,
            ("incorrect_cvc", _) | (_, "incorrect_cvc") => PaymentFailure::IncorrectCvc,
            ("payment_intent_authentication_failure", _) => PaymentFailure::AuthenticationFailed,
            (c, d) if c.contains("blik") || d.contains("blik") => PaymentFailure::BlikCodeInvalid,
            ("card_declined", _) => PaymentFailure::CardDeclined,
            _ => PaymentFailure::Other,
        }
    }
}

/// `POST /api/claims/{id}/payment`: the claim's one open payment with the provider.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePayment {
    /// `stripe`.
    pub provider: String,
    pub payment_intent: String,
    /// For the provider's script in the browser (3-D Secure); not a secret of the portal.
    pub client_secret: String,
    pub publishable_key: String,
    /// The provider's script, loaded only when the owner chooses to pay.
    pub js_url: String,
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub amount_grosze: Money,
    /// `pln`.
    pub currency: String,
    /// `card`, `blik`.
    pub methods: Vec<String>,
}

/// `POST /api/claims/{id}/payment/confirm`: how the owner pays.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayWith {
    /// A card, as a token the provider's script made in the browser.
    Card { token: String },
    /// The 6-digit code from the bank's app.
    Blik { code: String },
}

/// Where an online payment stands after the owner's confirmation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Paid; the claim shows it as soon as the provider tells the portal.
    Succeeded,
    /// The bank asks the owner to confirm (3-D Secure, or BLIK in the bank's app).
    RequiresAction,
    /// Under way at the bank.
    Processing,
    /// Not paid: see `failure`, and try again.
    Failed,
}

crate::wire_names!(PaymentState {
    Succeeded => "succeeded",
    RequiresAction => "requires_action",
    Processing => "processing",
    Failed => "failed",
});

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentProgress {
    pub state: PaymentState,
    /// For `requires_action`: what the provider's script needs to finish.
    pub client_secret: Option<String>,
    pub failure: Option<PaymentFailure>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub tracking: String,
    /// The serial of a replacement unit, which now holds the coverage (R11).
    pub replacement_serial: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub shipped_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimEvent {
    pub status: ClaimStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub at: Timestamp,
}

/// `POST /api/claims/{id}/choice`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceRequest {
    pub option: ClaimOption,
}

/// `POST /api/staff/claims/{id}/quote`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub amount_grosze: Money,
    pub note: String,
}

/// `POST /api/staff/claims/{id}/decline` (and an optional note for `warranty`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// `POST /api/staff/claims/{id}/ship`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipRequest {
    pub tracking: String,
    /// For a whole replacement unit: its serial; the coverage moves to it (R11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_serial: Option<String>,
}

/// A claim in the staff's queue; personal data masked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimItem {
    pub id: String,
    /// `CR-` and 8 characters.
    pub number: String,
    pub serial: String,
    pub product_id: String,
    pub status: ClaimStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub filed_at: Timestamp,
    /// `Jan K.`
    pub customer: String,
    /// `j***@example.pl`
    pub email: String,
    pub care_refresh_eligible: bool,
    pub option: Option<ClaimOption>,
}

/// A page of the claim queue: `next_cursor` asks for the next one, `null` on the last.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimPage {
    pub items: Vec<ClaimItem>,
    pub next_cursor: Option<String>,
}

/// A claim as staff handle it: the owner's document, the contact and address, and the
/// steps the claim's status allows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffClaim {
    pub claim: ClaimDocument,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub shipping_address: String,
    /// The steps staff can take now.
    pub allowed_steps: Vec<ClaimStep>,
    /// `transfer` or `stripe`, once paid.
    pub paid_via: Option<String>,
    /// The provider's reference of an online payment (`pi_…`).
    pub payment_reference: Option<String>,
    /// The provider's refund (`re_…`), or `transfer`.
    pub refund_reference: Option<String>,
    pub refund_reason: Option<String>,
}

/// A replacement counted against a coverage (R7, R8).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub number: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub fee_grosze: Money,
    pub claim_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub at: Timestamp,
}

/// Who or what changed a record, and when.
/// `GET /api/staff/mail/failed`: a message that failed every attempt and waits for staff.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMail {
    pub id: i64,
    /// The recipient, masked (`j***@example.pl`).
    pub to: String,
    pub subject: String,
    pub attempts: u32,
    /// The mail server's last answer.
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub queued_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// `GET /api/staff/devices/{serial}`: a device as staff see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDevice {
    pub device: DeviceDocument,
    pub ledger: Vec<LedgerEntry>,
    pub claims: Vec<ClaimItem>,
    pub audit: Vec<AuditEntry>,
}

/// An RFC 9457 problem document with the stable `code` (`application/problem+json`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: Refusal,
    /// The request field at fault, when there is one (`customer.email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait, with `rate_limited` (as in `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// With `code_product_mismatch`: the product the code is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_product_id: Option<String>,
    /// With `code_product_mismatch`: the product of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_product_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::tests::at;
    use serde_json::json;

    fn osmo_360() -> &'static Product {
        Product::find("osmo-360").expect("in catalogue")
    }

    fn serial() -> Serial {
        Serial::parse("1SDXK2P300A").expect("valid")
    }

    #[test]
    fn payment_names_agree_with_serde_and_the_provider_codes_map_to_reasons() {
        crate::wire::assert_serde_agrees(PaymentFailure::ALL, PaymentFailure::as_str);
        crate::wire::assert_serde_agrees(PaymentState::ALL, PaymentState::as_str);
        let reason = |code, decline| PaymentFailure::from_provider(code, decline);
        assert_eq!(
            reason(Some("card_declined"), None),
            PaymentFailure::CardDeclined
        );
        assert_eq!(
            reason(Some("card_declined"), Some("insufficient_funds")),
            PaymentFailure::InsufficientFunds
        );
        assert_eq!(
            reason(Some("expired_card"), None),
            PaymentFailure::ExpiredCard
        );
        assert_eq!(
            reason(Some("incorrect_cvc"), None),
            PaymentFailure::IncorrectCvc
        );
        assert_eq!(
            reason(Some("payment_intent_authentication_failure"), None),
            PaymentFailure::AuthenticationFailed
        );
        assert_eq!(
            reason(
                Some("payment_method_provider_decline"),
                Some("blik_code_expired")
            ),
            PaymentFailure::BlikCodeInvalid
        );
        assert_eq!(reason(None, None), PaymentFailure::Other);
        assert_eq!(
            reason(Some("processing_error"), None),
            PaymentFailure::Other
        );
    }

    #[test]
    fn a_payment_is_paid_with_a_card_token_or_a_blik_code() {
        let card: PayWith =
            serde_json::from_value(json!({"method": "card", "token": "tok_1"})).expect("card");
        assert_eq!(
            card,
            PayWith::Card {
                token: "tok_1".to_owned()
            }
        );
        let blik: PayWith =
            serde_json::from_value(json!({"method": "blik", "code": "123456"})).expect("blik");
        assert_eq!(
            blik,
            PayWith::Blik {
                code: "123456".to_owned()
            }
        );
        assert!(serde_json::from_value::<PayWith>(json!({"method": "cash"})).is_err());
        assert!(
            serde_json::from_value::<PayWith>(json!({"method": "card", "token": "t", "x": 1}))
                .is_err()
        );
    }

    #[test]
    fn a_fresh_annual_plan_reads_as_the_spec_example() {
        let start = at("2026-11-24T10:00:00Z");
        let c = Coverage::begin(Term::new(Plan::Annual, start));
        let doc = CoverageDocument::build(&serial(), osmo_360(), Some(&c), None, start);
        assert_eq!(
            serde_json::to_value(&doc).expect("serialises"),
            json!({
                "serial": "1SDXK2P300A", "product_id": "osmo-360",
                "status": "active",
                "starts_at": "2026-11-24T10:00:00Z", "ends_at": "2027-11-24T10:00:00Z",
                "terms": [{"plan": "annual", "starts_at": "2026-11-24T10:00:00Z",
                           "ends_at": "2027-11-24T10:00:00Z", "replacements": 2}],
                "replacements": {"total": 2, "used": 0, "remaining": 2},
                "next_fee_grosze": 16900,
                "extension": {"allowed": true, "deadline": "2027-12-09T10:00:00Z", "refusal": null},
                "warranty_reward": {"status": "not_applicable", "warranty_until": null},
                "replaced_by": null
            })
        );
        let back: CoverageDocument =
            serde_json::from_value(serde_json::to_value(&doc).expect("serialises"))
                .expect("parses");
        assert_eq!(back, doc);
    }

    #[test]
    fn a_device_without_a_plan_has_status_none() {
        let now = at("2026-11-24T10:00:00Z");
        let doc = CoverageDocument::build(&serial(), osmo_360(), None, None, now);
        assert_eq!(doc.status, CoverageStatus::None);
        assert_eq!(doc.extension.refusal, Some(Refusal::CoverageNotActive));
        assert_eq!(doc.next_fee_grosze, None);
    }

    #[test]
    fn a_replaced_device_points_at_its_successor() {
        let now = at("2026-11-24T10:00:00Z");
        let new = Serial::parse("NEW0000001").expect("valid");
        let doc = CoverageDocument::build(&serial(), osmo_360(), None, Some(&new), now);
        assert_eq!(doc.replaced_by.as_deref(), Some("NEW0000001"));
        assert_eq!(doc.status, CoverageStatus::None);
    }

    #[test]
    fn an_expired_chain_says_why_it_cannot_be_extended() {
        let c = Coverage::begin(Term::new(Plan::Annual, at("2025-01-01T00:00:00Z")));
        let doc = CoverageDocument::build(
            &serial(),
            osmo_360(),
            Some(&c),
            None,
            at("2026-11-24T10:00:00Z"),
        );
        assert_eq!(doc.status, CoverageStatus::Expired);
        assert_eq!(doc.replacements.remaining, 0);
        assert!(!doc.extension.allowed);
        assert_eq!(doc.extension.refusal, Some(Refusal::ExtensionWindowClosed));
        assert_eq!(doc.extension.deadline, Some(at("2026-01-16T00:00:00Z")));
    }

    #[test]
    fn the_catalogue_lists_four_products_and_two_plans() {
        let json = serde_json::to_value(CatalogDocument::current()).expect("serialises");
        assert_eq!(json["region"], "PL");
        assert_eq!(json["currency"], "PLN");
        assert_eq!(json["products"].as_array().map(Vec::len), Some(4));
        assert_eq!(json["products"][0]["id"], "osmo-360");
        assert_eq!(
            json["products"][0]["fee_schedule_grosze"],
            json!([16900, 17900])
        );
        assert_eq!(
            json["plans"][1],
            json!({"id": "two-year", "months": 24, "replacements": 4})
        );
    }

    #[test]
    fn a_problem_has_its_code_and_field() {
        let p = Problem {
            kind: "about:blank".into(),
            title: "Invalid request".into(),
            status: 422,
            detail: None,
            code: Refusal::InvalidRequest,
            field: Some("customer.email".into()),
            retry_after: None,
            code_product_id: None,
            device_product_id: None,
        };
        let json = serde_json::to_value(&p).expect("serialises");
        assert_eq!(
            json,
            json!({"type": "about:blank", "title": "Invalid request", "status": 422,
                   "code": "invalid_request", "field": "customer.email"})
        );
    }
}

/// `POST /api/owner/access`: ask for a sign-in link to the owner's page (`/me`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerAccessRequest {
    pub email: String,
}

/// The one answer to every ask for a link, whether the address has records or not,
/// and whether or not it was over its limit: nothing tells them apart.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerAccessAccepted {
    /// Always `"accepted"`: a link goes out if the address has devices, cases or claims.
    pub status: String,
}

/// `POST /api/owner/session`: the token from the emailed link, for a session.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerSessionRequest {
    pub token: String,
}

/// `GET /api/owner/overview`: everything of one email address, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerOverview {
    pub email: String,
    pub devices: Vec<OwnerDevice>,
    pub verifications: Vec<OwnerCase>,
    pub claims: Vec<OwnerClaim>,
}

/// A device the address activated a plan for, with its coverage now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerDevice {
    pub serial: String,
    pub product_id: String,
    pub status: CoverageStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub ends_at: Option<Timestamp>,
    pub replacements: Replacements,
}

/// A verification case the address opened.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerCase {
    pub id: String,
    pub serial: String,
    pub status: VerificationStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, with = "crate::time::rfc3339::option")]
    pub activation_deadline: Option<Timestamp>,
}

/// A claim the address filed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerClaim {
    pub id: String,
    /// `CR-` and 8 characters.
    pub number: String,
    pub serial: String,
    pub status: ClaimStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::time::rfc3339")]
    pub filed_at: Timestamp,
}

/// `POST /api/owner/erasure`: erasure cannot be undone, so it is asked for in words.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerErasureRequest {
    pub confirm: bool,
}
