//! Migrations that carry data over: the claims' history, kept before as audit events,
//! becomes typed history events.

use crate::helpers::backend;
use care_server::db::Db;
use sqlx::AnyPool;
use sqlx::migrate::Migrator;

#[tokio::test]
async fn the_claim_history_kept_as_audit_events_becomes_typed_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
    let (database, _) = backend(dir.path()).await;
    sqlx::any::install_default_drivers();
    let all = if database.starts_with("postgres") {
        sqlx::migrate!("./migrations/postgres")
    } else {
        sqlx::migrate!("./migrations/sqlite")
    };
    // The database as the previous release left it: its first three migrations.
    let before = Migrator {
        migrations: all
            .migrations
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ..Migrator::DEFAULT
    };
    let url = if database.starts_with("sqlite") {
        format!("{database}?mode=rwc")
    } else {
        database.clone()
    };
    let pool = AnyPool::connect(&url).await.expect("database");
    before.run(&pool).await.expect("the first three migrations");
    for statement in [
        "INSERT INTO devices (serial, product_id, created_at) VALUES ('SN0000000001', 'osmo-360', 1)",
        "INSERT INTO claims (id, serial, product_id, description, customer_name, customer_email,
             shipping_address, lang, status, filed_at, eligible)
         VALUES ('c1', 'SN0000000001', 'osmo-360', 'x', 'Jan', 'j@example.pl', 'ul. 1', 'pl',
             'quoted', 100, 1)",
        "INSERT INTO audit_events (at, actor, action, subject, details) VALUES
             (100, 'customer:j***@example.pl', 'claim.submitted', 'claim:c1', '{}'),
             (150, 'staff:a@b.pl', 'staff.signed_in', 'staff:a@b.pl', '{}'),
             (200, 'staff:s@b.pl', 'claim.received', 'claim:c1', '{}'),
             (300, 'staff:s@b.pl', 'claim.quoted', 'claim:c1', '{}'),
             (400, 'system', 'coverage.transferred', 'device:SN0000000001', '{}')",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect(statement);
    }
    pool.close().await;

    Db::open(&database)
        .await
        .expect("migrated to the current schema");
    let pool = AnyPool::connect(&database).await.expect("database");
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT status, actor, at FROM claim_events WHERE claim_id = 'c1' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("history");
    assert_eq!(
        rows,
        [
            (
                "submitted".to_owned(),
                "customer:j***@example.pl".to_owned(),
                100
            ),
            ("received".to_owned(), "staff:s@b.pl".to_owned(), 200),
            ("quoted".to_owned(), "staff:s@b.pl".to_owned(), 300),
        ]
    );
}
