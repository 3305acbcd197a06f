//! The operator commands of spec §7 (`import devices`, `import codes`, `codes
//! generate`, `staff add`) and the demo data seeded into an empty database.
//! An import checks every row first and writes nothing if any row is bad.

use crate::codes::{CodeKey, generate_code};
use crate::storage::{AuditEvent, DeviceRecord, NewCode, Role, StaffRecord, Store};
use anyhow::{Context, Result, bail};
use argon2::password_hash::{PasswordHasher, SaltString};
use care_rules::catalog::REGION;
use care_rules::{Code, Email, Plan, Product, Serial, Timestamp};
use jiff::SignedDuration;
use rand::RngCore;
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

const OPERATOR: &str = "operator";

/// Rows of a CSV file with their line numbers; a first row naming `first_column` is a
/// header and skipped. Surrounding spaces are trimmed.
fn csv_rows(file: &Path, first_column: &str) -> Result<Vec<(u64, csv::StringRecord)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(file)
        .with_context(|| format!("reading {}", file.display()))?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: not CSV", file.display()))?;
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        if i == 0 && record.get(0) == Some(first_column) {
            continue;
        }
        rows.push((line, record));
    }
    Ok(rows)
}

fn product(line: u64, id: &str) -> Result<&'static Product> {
    Product::find(id).with_context(|| {
        let known: Vec<&str> = care_rules::catalog::PRODUCTS.iter().map(|p| p.id).collect();
        format!(
            "line {line}: unknown product {id:?} (known: {})",
            known.join(", ")
        )
    })
}

/// `import devices FILE.csv`: rows `serial,product_id,activated_at`, where an empty
/// `activated_at` is a device never activated.
pub async fn import_devices(store: &dyn Store, file: &Path, now: Timestamp) -> Result<usize> {
    let mut devices = Vec::new();
    let mut seen: HashMap<Serial, u64> = HashMap::new();
    for (line, row) in csv_rows(file, "serial")? {
        if row.len() != 3 {
            bail!(
                "line {line}: expected 3 columns serial,product_id,activated_at, found {}",
                row.len()
            );
        }
        let serial = Serial::parse(&row[0]).map_err(|_| {
            anyhow::anyhow!(
                "line {line}: invalid serial {:?} (10 to 20 of A-Z, 0-9)",
                &row[0]
            )
        })?;
        let product = product(line, &row[1])?;
        let activated_at = match &row[2] {
            "" => None,
            text => Some(text.parse::<Timestamp>().map_err(|_| {
                anyhow::anyhow!("line {line}: activated_at {text:?} is not an RFC 3339 instant such as 2026-01-31T12:00:00Z")
            })?),
        };
        if let Some(first) = seen.insert(serial.clone(), line) {
            bail!("line {line}: serial {serial} repeats line {first}");
        }
        devices.push((
            line,
            DeviceRecord {
                serial,
                product_id: product.id.to_owned(),
                activated_at,
                replaced_by: None,
            },
        ));
    }
    let mut tx = store.write().await?;
    for (line, device) in &devices {
        if !tx.insert_device(device, now).await? {
            bail!(
                "line {line}: serial {} is already registered; nothing was imported",
                device.serial
            );
        }
    }
    tx.audit(
        &AuditEvent {
            actor: OPERATOR,
            action: "devices.imported",
            subject: &format!("file:{}", file.display()),
            details: json!({"count": devices.len()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(devices.len())
}

/// `import codes FILE.csv`: rows `code,product_id,plan`, with an optional fourth column
/// `region` (default PL).
pub async fn import_codes(
    store: &dyn Store,
    key: &CodeKey,
    file: &Path,
    now: Timestamp,
) -> Result<usize> {
    let mut codes = Vec::new();
    let mut seen: HashMap<Code, u64> = HashMap::new();
    for (line, row) in csv_rows(file, "code")? {
        if !(3..=4).contains(&row.len()) {
            bail!(
                "line {line}: expected columns code,product_id,plan[,region], found {}",
                row.len()
            );
        }
        let code = Code::parse(&row[0]).map_err(|_| {
            anyhow::anyhow!(
                "line {line}: not a valid code (16 characters with a matching check character)"
            )
        })?;
        let product = product(line, &row[1])?;
        let plan = Plan::parse(&row[2]).with_context(|| {
            format!(
                "line {line}: plan {:?} is neither annual nor two-year",
                &row[2]
            )
        })?;
        let region = row
            .get(3)
            .filter(|r| !r.is_empty())
            .unwrap_or(REGION)
            .to_ascii_uppercase();
        if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_uppercase()) {
            bail!("line {line}: region {region:?} is not a two-letter country code");
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            bail!(
                "line {line}: the code {} repeats line {first}",
                code.masked()
            );
        }
        codes.push((line, code, product, plan, region));
    }
    let mut tx = store.write().await?;
    for (line, code, product, plan, region) in &codes {
        let hash = key.hash(code);
        let new = NewCode {
            hash: &hash,
            hint: &code.as_str()[12..],
            product_id: product.id,
            plan: *plan,
            region,
        };
        if !tx.insert_code(&new, now).await? {
            bail!(
                "line {line}: the code {} is already registered; nothing was imported",
                code.masked()
            );
        }
    }
    tx.audit(
        &AuditEvent {
            actor: OPERATOR,
            action: "codes.imported",
            subject: &format!("file:{}", file.display()),
            details: json!({"count": codes.len()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes.len())
}

/// `codes generate`: `count` new random codes for a product and plan, registered and
/// returned (the only time they exist in clear).
pub async fn generate_codes(
    store: &dyn Store,
    key: &CodeKey,
    product_id: &str,
    plan: Plan,
    count: u32,
    now: Timestamp,
) -> Result<Vec<Code>> {
    let product =
        Product::find(product_id).with_context(|| format!("unknown product {product_id:?}"))?;
    if !(1..=100_000).contains(&count) {
        bail!("--count must be 1 to 100000");
    }
    let mut tx = store.write().await?;
    let mut codes = Vec::new();
    while codes.len() < count as usize {
        let code = generate_code();
        let hash = key.hash(&code);
        let new = NewCode {
            hash: &hash,
            hint: &code.as_str()[12..],
            product_id: product.id,
            plan,
            region: REGION,
        };
        // A collision in 75 random bits is all but impossible; skip it if it happens.
        if tx.insert_code(&new, now).await? {
            codes.push(code);
        }
    }
    tx.audit(
        &AuditEvent {
            actor: OPERATOR,
            action: "codes.generated",
            subject: &format!("product:{}", product.id),
            details: json!({"count": count, "plan": plan}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// `staff add EMAIL --role R`: a staff account with an argon2id password hash.
pub async fn add_staff(
    store: &dyn Store,
    email: &str,
    role: Role,
    password: &str,
    now: Timestamp,
) -> Result<()> {
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("{email:?} is not an email address"))?;
    if password.chars().count() < 12 {
        bail!("the password must have at least 12 characters");
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?
        .to_string();
    let mut tx = store.write().await?;
    let staff = StaffRecord {
        email: email.as_str().to_lowercase(),
        role,
        password_hash: hash,
    };
    if !tx.insert_staff(&staff, now).await? {
        bail!("{} already has an account", staff.email);
    }
    tx.audit(
        &AuditEvent {
            actor: OPERATOR,
            action: "staff.added",
            subject: &format!("staff:{}", staff.email),
            details: json!({"role": role.as_str()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

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
pub async fn seed_demo_if_empty(store: &dyn Store, key: &CodeKey, now: Timestamp) -> Result<bool> {
    let mut tx = store.write().await?;
    if tx.device_count().await? > 0 {
        return Ok(false);
    }
    for (serial, product_id, days, _) in DEMO_DEVICES {
        let device = DeviceRecord {
            serial: Serial::parse(serial).map_err(|_| anyhow::anyhow!("demo serial {serial}"))?,
            product_id: product_id.to_owned(),
            activated_at: days.map(|d| now - SignedDuration::from_hours(24 * d)),
            replaced_by: None,
        };
        tx.insert_device(&device, now).await?;
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
        tx.insert_code(&new, now).await?;
    }
    tx.audit(
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
        add_staff(store, email, role, &key.demo_password(email), now).await?;
    }
    Ok(true)
}

/// What a person needs to try the portal: the demo devices, the demo codes still
/// unused and the staff logins. `None` when this database was not seeded with them.
pub async fn demo_summary(store: &dyn Store, key: &CodeKey) -> Result<Option<String>> {
    let mut tx = store.read().await?;
    let first = Serial::parse(DEMO_DEVICES[0].0).map_err(|_| anyhow::anyhow!("demo serial"))?;
    if tx.device(&first).await?.is_none() {
        return Ok(None);
    }
    let mut out = String::from(
        "\nDemo data (seeded into the empty database; CARE_NO_DEMO=1 skips it):\n  Devices\n",
    );
    for (serial, product_id, _, note) in DEMO_DEVICES {
        let name = Product::find(product_id).map_or(product_id, |p| p.name);
        writeln!(out, "    {serial:<14} {name:<20} {note}")?;
    }
    out.push_str("  Codes\n");
    for (n, product_id, plan) in DEMO_CODES {
        let code = key.demo_code(n);
        let used = tx
            .code(&key.hash(&code))
            .await?
            .is_some_and(|c| c.used_at.is_some());
        let name = Product::find(product_id).map_or(product_id, |p| p.name);
        let state = if used { "used" } else { "unused" };
        writeln!(out, "    {code}  {name:<20} {:<8}  {state}", plan.id())?;
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
