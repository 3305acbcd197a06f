//! Lists in pages: `?limit=` (default 50, at most 200) and `?cursor=` (from the page
//! before). A cursor names the last item of a page by its sort key and id, so a page
//! is one indexed query however deep, and items added meanwhile are neither skipped
//! nor repeated.

use super::problem::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use care_rules::Refusal;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Where a page ends: the sort key (an instant, in seconds) and id of its last item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.key, self.id))
    }

    pub fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::field(
                Refusal::InvalidRequest,
                "cursor",
                "not a cursor of this list",
            )
        };
        let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (key, id) = raw.split_once(':').ok_or_else(bad)?;
        if !crate::ids::is_id(id) {
            return Err(bad());
        }
        Ok(Cursor {
            key: key.parse().map_err(|_| bad())?,
            id: id.to_owned(),
        })
    }
}

/// A page's size and start, from the query.
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field(
                Refusal::InvalidRequest,
                "limit",
                format!("1 to {MAX_LIMIT}"),
            ));
        }
        Ok(PageRequest {
            limit,
            after: cursor.map(Cursor::decode).transpose()?,
        })
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The page of `rows` (fetched with [`PageRequest::fetch`]) and the cursor of the
    /// next one, from each row's sort key and id.
    pub fn split<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<String>) {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        (rows, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_nonsense_is_refused() {
        let c = Cursor {
            key: 1_764_000_000,
            id: "0123456789abcdef0123456789abcdef".to_owned(),
        };
        assert_eq!(Cursor::decode(&c.encode()).expect("decoded"), c);
        assert!(Cursor::decode("not base64!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("5:../../x")).is_err());
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert_eq!(PageRequest::parse(None, None).expect("default").limit, 50);
    }
}
