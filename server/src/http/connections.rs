//! Connections per client: one client (an IPv4 address or an IPv6 /64, as for rate
//! limits) holds at most so many connections at once, so that one slowloris cannot
//! take every slot under the connection cap and make everyone else wait for its
//! timeouts. Only where the peer is the client: behind a load balancer every
//! connection comes from the balancer, which limits its own clients.

use crate::rate_limit::client_key;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone)]
pub struct PerClient {
    limit: usize,
    held: Arc<Mutex<HashMap<String, usize>>>,
}

/// A connection counted against its client until dropped.
pub struct Held {
    key: String,
    held: Arc<Mutex<HashMap<String, usize>>>,
}

impl PerClient {
    pub fn new(limit: usize) -> PerClient {
        PerClient {
            limit: limit.max(1),
            held: Arc::default(),
        }
    }

    /// Counts a connection from `ip`, or `None` when its client holds the limit.
    pub fn take(&self, ip: IpAddr) -> Option<Held> {
        let key = client_key(ip);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Held {
            key,
            held: self.held.clone(),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_the_limit_and_gets_slots_back() {
        let per_client = PerClient::new(2);
        let a: IpAddr = "203.0.113.7".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let first = per_client.take(a).expect("first");
        let _second = per_client.take(a).expect("second");
        assert!(per_client.take(a).is_none());
        let _b1 = per_client.take(b).expect("another client");
        let _b2 = per_client.take(same_64).expect("the same /64, second");
        assert!(per_client.take(b).is_none(), "one /64 is one client");
        drop(first);
        assert!(per_client.take(a).is_some());
    }

    #[test]
    fn nothing_is_kept_for_a_client_gone() {
        let per_client = PerClient::new(3);
        let held = per_client.take("198.51.100.1".parse().expect("ip"));
        drop(held);
        assert!(per_client.held.lock().expect("lock").is_empty());
    }
}
