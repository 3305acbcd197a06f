//! What is kept across a reload to resume an upload: the upload's URL and the file it
//! was for, in localStorage under the case's id.

use super::machine::FileIdentity;
use serde::{Deserialize, Serialize};

/// Size and time are whole numbers, kept as integers: a float would bring serde_json's
/// float formatting and parsing into the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub url: String,
    pub name: String,
    pub size: u64,
    pub modified: u64,
}

impl Saved {
    pub fn identity(&self) -> FileIdentity {
        FileIdentity {
            name: self.name.clone(),
            size: self.size as f64,
            modified: self.modified as f64,
        }
    }
}

fn key(case_id: &str) -> String {
    format!("care-upload:{case_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn load(case_id: &str) -> Option<Saved> {
    let text = storage()?.get_item(&key(case_id)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

pub fn save(case_id: &str, file: &FileIdentity, url: &str) {
    let saved = Saved {
        url: url.to_owned(),
        name: file.name.clone(),
        size: file.size as u64,
        modified: file.modified as u64,
    };
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(&saved)) {
        let _ = s.set_item(&key(case_id), &text);
    }
}

pub fn forget(case_id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(case_id));
    }
}
