//! The operator commands of spec §7 (`import devices`, `import codes`, `codes
//! generate`, `staff add`) and the demo data seeded into an empty database.
//! An import checks every row first and writes nothing if any row is bad.

pub mod demo;

use crate::activation::codes::{self, CodeKey, NewCode, generate_code};
use crate::audit::{self, AuditEvent};
use crate::coverage::devices::{self, DeviceRecord};
use crate::db::Db;
use crate::staff::{accounts, session};
use anyhow::{Context, Result, bail};
use care_rules::catalog::REGION;
use care_rules::{Code, Plan, Product, Role, Serial, Timestamp};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

/// How the audit trail names the operator commands.
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
pub async fn import_devices(db: &Db, file: &Path, now: Timestamp) -> Result<usize> {
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
    let mut tx = db.write().await?;
    for (line, device) in &devices {
        if !devices::insert(&mut tx, device, now).await? {
            bail!(
                "line {line}: serial {} is already registered; nothing was imported",
                device.serial
            );
        }
    }
    audit::record(
        &mut tx,
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
pub async fn import_codes(db: &Db, key: &CodeKey, file: &Path, now: Timestamp) -> Result<usize> {
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
    let mut tx = db.write().await?;
    for (line, code, product, plan, region) in &codes {
        let hash = key.hash(code);
        let new = NewCode {
            hash: &hash,
            hint: &code.as_str()[12..],
            product_id: product.id,
            plan: *plan,
            region,
        };
        if !codes::insert(&mut tx, &new, now).await? {
            bail!(
                "line {line}: the code {} is already registered; nothing was imported",
                code.masked()
            );
        }
    }
    audit::record(
        &mut tx,
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
    db: &Db,
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
    let mut tx = db.write().await?;
    let mut generated = Vec::new();
    while generated.len() < count as usize {
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
        if codes::insert(&mut tx, &new, now).await? {
            generated.push(code);
        }
    }
    audit::record(
        &mut tx,
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
    Ok(generated)
}

/// `staff add EMAIL --role R`: a staff account with an argon2id password hash.
pub async fn add_staff(
    db: &Db,
    email: &str,
    role: Role,
    password: &str,
    now: Timestamp,
) -> Result<()> {
    let staff = accounts::new_account(email, role, password)?;
    let mut tx = db.write().await?;
    if !accounts::insert(&mut tx, &staff, now).await? {
        bail!("{} already has an account", staff.email);
    }
    audit::record(
        &mut tx,
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

/// `staff password EMAIL`: a new password (read from standard input); every session of
/// the member ends.
pub async fn set_staff_password(db: &Db, email: &str, password: &str) -> Result<()> {
    let email = email.trim().to_lowercase();
    let mut tx = db.write().await?;
    if !accounts::set_password(&mut tx, &email, password).await? {
        bail!("{email} has no account");
    }
    let ended = session::end_all(&mut tx, &email).await?;
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: OPERATOR,
            action: "staff.password_changed",
            subject: &format!("staff:{email}"),
            details: json!({"sessions_ended": ended}),
        },
        Timestamp::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `staff disable EMAIL`: the member signs in no more; every session ends.
pub async fn disable_staff(db: &Db, email: &str, now: Timestamp) -> Result<()> {
    let email = email.trim().to_lowercase();
    let mut tx = db.write().await?;
    if !accounts::disable(&mut tx, &email, now).await? {
        bail!("{email} has no account");
    }
    let ended = session::end_all(&mut tx, &email).await?;
    audit::record(
        &mut tx,
        &AuditEvent {
            actor: OPERATOR,
            action: "staff.disabled",
            subject: &format!("staff:{email}"),
            details: json!({"sessions_ended": ended}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
