//! The operator commands, called as the CLI calls them, against a running server.

use crate::helpers::{activation, spawn_app};
use care_rules::Role;
use care_rules::{Code, Plan, Timestamp};
use care_server::operator;

#[tokio::test]
async fn imported_devices_and_codes_activate() {
    let app = spawn_app().await;
    let devices = app.dir.path().join("devices.csv");
    std::fs::write(
        &devices,
        "serial,product_id,activated_at\nSN0000000001,osmo-360,\nSN0000000002, rs-3 ,2026-01-31T12:00:00Z\n",
    )
    .expect("csv");
    let n = operator::import_devices(&app.db, &devices, Timestamp::now())
        .await
        .expect("imported");
    assert_eq!(n, 2);
    let code = Code::from_payload([5; 15]);
    let codes = app.dir.path().join("codes.csv");
    std::fs::write(
        &codes,
        format!(
            "code,product_id,plan\n{},osmo-360,annual\n",
            code.to_string().to_lowercase()
        ),
    )
    .expect("csv");
    operator::import_codes(&app.db, &app.key, &codes, Timestamp::now())
        .await
        .expect("imported");
    let response = app
        .post_json("/api/activations", &activation(&code, "SN0000000001"))
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_file_with_a_bad_row_names_the_line_and_imports_nothing() {
    let app = spawn_app().await;
    let file = app.dir.path().join("devices.csv");
    let cases = [
        (
            "SN0000000001,osmo-360,\nSN0000000002,osmo-360,\nBAD,osmo-360,\n",
            "line 3: invalid serial",
        ),
        (
            "SN0000000001,osmo-360,\nSN0000000002,gopro,\n",
            "line 2: unknown product \"gopro\"",
        ),
        (
            "SN0000000001,osmo-360,yesterday\n",
            "line 1: activated_at \"yesterday\"",
        ),
        ("SN0000000001,osmo-360\n", "line 1: expected 3 columns"),
        (
            "SN0000000001,osmo-360,\nsn-0000000001,osmo-360,\n",
            "line 2: serial SN0000000001 repeats line 1",
        ),
    ];
    for (csv, expected) in cases {
        std::fs::write(&file, csv).expect("csv");
        let err = operator::import_devices(&app.db, &file, Timestamp::now())
            .await
            .expect_err("a bad row");
        assert!(
            err.to_string().starts_with(expected),
            "{err:#} should start with {expected}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM devices").await,
            0,
            "{expected}"
        );
    }
    // A serial already registered is a bad row too, and the good rows before it stay out.
    app.add_device("SN0000000009", "osmo-360", None).await;
    std::fs::write(&file, "SN0000000001,osmo-360,\nSN0000000009,osmo-360,\n").expect("csv");
    let err = operator::import_devices(&app.db, &file, Timestamp::now())
        .await
        .expect_err("exists");
    assert!(
        err.to_string()
            .starts_with("line 2: serial SN0000000009 is already registered"),
        "{err}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 1);
}

#[tokio::test]
async fn a_code_file_with_a_bad_row_imports_nothing() {
    let app = spawn_app().await;
    let good = Code::from_payload([6; 15]);
    let mut typo = good.as_str().to_owned();
    typo.replace_range(0..1, if typo.starts_with('A') { "B" } else { "A" });
    let file = app.dir.path().join("codes.csv");
    for (csv, expected) in [
        (
            format!("{good},osmo-360,annual\n{typo},osmo-360,annual\n"),
            "line 2: not a valid code",
        ),
        (
            format!("{good},osmo-360,monthly\n"),
            "line 1: plan \"monthly\"",
        ),
        (
            format!("{good},osmo-360,annual,POL\n"),
            "line 1: region \"POL\"",
        ),
        (
            format!("{good},osmo-360,annual\n{good},osmo-360,annual\n"),
            "line 2: the code ****-****-****-",
        ),
    ] {
        std::fs::write(&file, csv).expect("csv");
        let err = operator::import_codes(&app.db, &app.key, &file, Timestamp::now())
            .await
            .expect_err("a bad row");
        assert!(
            err.to_string().starts_with(expected),
            "{err} should start with {expected}"
        );
        // The error never shows a whole code.
        assert!(!err.to_string().contains(good.as_str()), "{err}");
        assert_eq!(app.count("SELECT COUNT(*) FROM codes").await, 0);
    }
}

#[tokio::test]
async fn generated_codes_are_valid_and_stored_only_as_keyed_hashes() {
    let app = spawn_app().await;
    let codes = operator::generate_codes(
        &app.db,
        &app.key,
        "rs-3",
        Plan::TwoYear,
        20,
        Timestamp::now(),
    )
    .await
    .expect("generated");
    assert_eq!(codes.len(), 20);
    let db = app.pool().await;
    let hints: Vec<String> = sqlx::query_scalar("SELECT hint FROM codes")
        .fetch_all(&db)
        .await
        .expect("rows");
    assert_eq!(hints.len(), 20);
    for code in &codes {
        assert_eq!(Code::parse(&code.to_string()).as_ref(), Ok(code));
        let clear: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM codes WHERE hash = $1 OR hint = $2")
                .bind(code.as_str().as_bytes())
                .bind(code.as_str())
                .fetch_one(&db)
                .await
                .expect("count");
        assert_eq!(clear, 0, "the code is in the database in clear");
    }
    assert!(
        operator::generate_codes(
            &app.db,
            &app.key,
            "gopro",
            Plan::Annual,
            1,
            Timestamp::now()
        )
        .await
        .is_err()
    );
    assert!(
        operator::generate_codes(&app.db, &app.key, "rs-3", Plan::Annual, 0, Timestamp::now())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn staff_passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    operator::add_staff(
        &app.db,
        "Anna@DJI-ARS.pl",
        Role::Reviewer,
        "correct horse battery",
        Timestamp::now(),
    )
    .await
    .expect("added");
    let (email, role, hash): (String, String, String) =
        sqlx::query_as("SELECT email, role, password_hash FROM staff")
            .fetch_one(&app.pool().await)
            .await
            .expect("row");
    assert_eq!(
        (email.as_str(), role.as_str()),
        ("anna@dji-ars.pl", "reviewer")
    );
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let again = operator::add_staff(
        &app.db,
        "anna@dji-ars.pl",
        Role::Service,
        "another long password",
        Timestamp::now(),
    )
    .await;
    assert!(again.is_err());
    let short = operator::add_staff(
        &app.db,
        "b@dji-ars.pl",
        Role::Service,
        "short",
        Timestamp::now(),
    )
    .await;
    assert!(short.is_err());
}
