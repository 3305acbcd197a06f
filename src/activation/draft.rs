//! The wizard's draft, kept for the tab (sessionStorage): a reload, Back and Forward
//! find the owner's code, device and details where they left them, and closing the
//! tab forgets them.

use care_rules::Plan;
use care_rules::api::{ActivationCheck, CoverageDocument};
use serde::{Deserialize, Serialize};

const KEY: &str = "care-activation";

/// Everything typed so far, and what the server answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub code: String,
    pub plan: Option<Plan>,
    pub serial: String,
    pub verification_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub terms: bool,
    /// The server's check of this code on this device, and the inputs it was for.
    pub check: Option<Checked>,
    /// The activation's idempotency key: sending again after a lost answer is safe.
    pub key: String,
    /// The coverage the activation left, for the last step.
    pub result: Option<CoverageDocument>,
}

/// A check's answer with the code, serial and video case it was for: changing any of
/// them makes it stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    pub code: String,
    pub serial: String,
    pub verification_id: String,
    pub answer: ActivationCheck,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

pub fn load() -> Draft {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn save(draft: &Draft) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(draft)) {
        let _ = storage.set_item(KEY, &text);
    }
}
