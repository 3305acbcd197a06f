//! The demo data `serve --demo` seeds into an empty database: devices in each state an
//! owner meets, unused codes for them, and a staff login per role. The codes and
//! passwords are derived from the code key, so they can be printed on every start
//! without being stored in clear.

use super::add_staff;
use crate::activation::codes::{self, CodeKey, NewCode};
use crate::audit::{self, AuditEvent};
use crate::coverage::devices::{self, DeviceRecord};
use crate::db::Db;
use anyhow::Result;
use care_rules::catalog::REGION;
use care_rules::{Plan, Product, Role, Serial, Timestamp};
use jiff::SignedDuration;
use serde_json::json;
use std::fmt::Write as _;

/// Demo devices: serial, product, days since the owner activated it, what it shows.
const DEMO_DEVICES: [(&str, &str, Option<i64>, &str); 5] = [
    (
        "DEMO360NEW01",
        "osmo-360",
        None,
        "sealed, new: activates directly",
    ),
    (
        "DEMO360RECENT",
        "osmo-360",
        Some(10),
        "activated 10 days ago: directly, 20 days left",
    ),
    (
        "DEMO360OLD01",
        "osmo-360",
        Some(200),
        "activated 200 days ago: needs a verification video",
    ),
    (
        "DEMORS3NEW01",
        "rs-3",
        None,
        "sealed, new; its model earns the warranty reward",
    ),
    ("DEMOOM6NEW01", "osmo-mobile-6", None, "sealed, new"),
];

/// Demo codes by their derivation number: product and plan.
const DEMO_CODES: [(u32, &str, Plan); 9] = [
    (0, "osmo-360", Plan::Annual),
    (1, "osmo-360", Plan::Annual),
    (2, "osmo-360", Plan::Annual),
    (3, "osmo-360", Plan::Annual),
    (4, "osmo-360", Plan::TwoYear),
    (5, "osmo-360", Plan::TwoYear),
    (6, "rs-3", Plan::Annual),
    (7, "rs-3", Plan::Annual),
    (8, "osmo-mobile-6", Plan::Annual),
];

const DEMO_STAFF: [(&str, Role); 2] = [
    ("reviewer@demo.care-refresh.example", Role::Reviewer),
    ("service@demo.care-refresh.example", Role::Service),
];

/// Seeds the demo devices, codes and staff into an empty database; `true` if it did.
pub async fn seed_if_empty(db: &Db, key: &CodeKey, now: Timestamp) -> Result<bool> {
    let mut tx = db.write().await?;
    if devices::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    for (serial, product_id, days, _) in DEMO_DEVICES {
        let device = DeviceRecord {
            serial: Serial::parse(serial).map_err(|_| anyhow::anyhow!("demo serial {serial}"))?,
            product_id: product_id.to_owned(),
            activated_at: days.map(|d| now - SignedDuration::from_hours(24 * d)),
            replaced_by: None,
        };
        devices::insert(&mut tx, &device, now).await?;
    }
    for (n, product_id, plan) in DEMO_CODES {
        let code = key.demo_code(n);
        let hash = key.hash(&code);
        let new = NewCode {
            hash: &hash,
            hint: &code.as_str()[12..],
            product_id,
            plan,
            region: REGION,
        };
        codes::insert(&mut tx, &new, now).await?;
    }
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: "system",
            action: "demo.seeded",
            subject: "database",
            details: json!({"devices": DEMO_DEVICES.len(), "codes": DEMO_CODES.len()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    for (email, role) in DEMO_STAFF {
        add_staff(db, email, role, &key.demo_password(email), now).await?;
    }
    Ok(true)
}

/// What a person needs to try the portal: the demo devices, the demo codes still
/// unused and the staff logins. `None` when this database was not seeded with them.
pub async fn summary(db: &Db, key: &CodeKey) -> Result<Option<String>> {
    let mut tx = db.read().await?;
    let first = Serial::parse(DEMO_DEVICES[0].0).map_err(|_| anyhow::anyhow!("demo serial"))?;
    if devices::find(&mut tx, &first).await?.is_none() {
        return Ok(None);
    }
    let mut out = String::from(
        "\nDemo data (seeded into the empty database by `serve --demo`):\n  Devices\n",
    );
    for (serial, product_id, _, note) in DEMO_DEVICES {
        let name = Product::find(product_id).map_or(product_id, |p| p.name);
        writeln!(out, "    {serial:<14} {name:<20} {note}")?;
    }
    out.push_str("  Codes\n");
    for (n, product_id, plan) in DEMO_CODES {
        let code = key.demo_code(n);
        let used = codes::find(&mut tx, &key.hash(&code))
            .await?
            .is_some_and(|c| c.used_at.is_some());
        let name = Product::find(product_id).map_or(product_id, |p| p.name);
        let state = if used { "used" } else { "unused" };
        writeln!(out, "    {code}  {name:<20} {:<8}  {state}", plan.as_str())?;
    }
    out.push_str("  Staff (email / password)\n");
    for (email, role) in DEMO_STAFF {
        writeln!(
            out,
            "    {email:<36} {}  {}",
            key.demo_password(email),
            role.as_str()
        )?;
    }
    Ok(Some(out))
}
