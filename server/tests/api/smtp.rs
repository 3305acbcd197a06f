//! Mail through a real SMTP server (aiosmtpd with a Maildir, started by `cargo xtask
//! test`: `CARE_TEST_SMTP` is its address, `CARE_TEST_MAILDIR` its folder): every
//! message in both languages arrives with its headers and Polish text intact; an outage
//! delays mail and loses none; a message that failed every attempt is listed for staff
//! and sent again.

use crate::helpers::{TestApp, spawn_app_with};
use care_rules::{Lang, Plan, Role};
use care_server::email::outbox::{self, MAX_ATTEMPTS};
use care_server::email::preview::{NAMES, preview};
use mailparse::{MailHeaderMap, ParsedMail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The test SMTP server's address and Maildir, or `None` (skipped, saying so).
fn smtp() -> Option<(String, PathBuf)> {
    match (
        std::env::var("CARE_TEST_SMTP"),
        std::env::var("CARE_TEST_MAILDIR"),
    ) {
        (Ok(address), Ok(dir)) => Some((address, PathBuf::from(dir))),
        _ => {
            eprintln!("CARE_TEST_SMTP is not set: run through `cargo xtask test`; skipped");
            None
        }
    }
}

/// An app whose outbox sends through `smtp_url`.
async fn mailing_app(smtp_url: &str) -> TestApp {
    let url = smtp_url.to_owned();
    spawn_app_with(move |s| s.smtp_url = Some(url)).await
}

/// A port nothing listens on: the mail server is down.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("bound").port();
    drop(listener);
    format!("smtp://127.0.0.1:{port}")
}

/// The raw messages the SMTP server received for `to`, waiting up to 10 s for `n`.
async fn received(maildir: &Path, to: &str, n: usize) -> Vec<Vec<u8>> {
    for _ in 0..100 {
        let found: Vec<Vec<u8>> = std::fs::read_dir(maildir.join("new"))
            .map(|dir| {
                dir.flatten()
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .filter(|raw| {
                        mailparse::parse_mail(raw)
                            .ok()
                            .and_then(|m| m.headers.get_first_value("To"))
                            .is_some_and(|t| t.contains(to))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} message(s) for {to} never arrived");
}

fn part<'a>(mail: &'a ParsedMail<'a>, mime: &str) -> &'a ParsedMail<'a> {
    mail.subparts
        .iter()
        .find(|p| p.ctype.mimetype == mime)
        .unwrap_or_else(|| panic!("no {mime} part"))
}

fn unique(what: &str) -> String {
    format!("{what}-{}@example.pl", care_server::ids::random_id())
}

#[tokio::test]
async fn every_message_arrives_with_its_headers_and_polish_text_intact() {
    let Some((address, maildir)) = smtp() else {
        return;
    };
    let app = mailing_app(&format!("smtp://{address}")).await;
    let mut sent = Vec::new();
    {
        let mut tx = app.db.write().await.expect("tx");
        for name in NAMES {
            for lang in [Lang::Pl, Lang::En] {
                let mut letter = preview(name, lang).expect(name);
                letter.to = unique(&format!("{name}-{lang}"));
                outbox::insert(&mut tx, &letter, care_rules::Timestamp::now())
                    .await
                    .expect("queued");
                sent.push(letter);
            }
        }
        tx.commit().await.expect("commit");
    }
    app.state.outbox.notify_one();
    for letter in &sent {
        let raw = received(&maildir, &letter.to, 1).await.remove(0);
        let mail = mailparse::parse_mail(&raw).expect("a message");
        assert_eq!(
            mail.headers.get_first_value("Subject").as_deref(),
            Some(letter.subject.as_str())
        );
        assert_eq!(
            mail.headers.get_first_value("To").as_deref(),
            Some(letter.to.as_str())
        );
        let from = mail.headers.get_first_value("From").expect("From");
        assert!(from.contains("no-reply@care-refresh.example"), "{from}");
        assert!(mail.headers.get_first_value("Date").is_some());
        assert!(mail.headers.get_first_value("Message-ID").is_some());
        assert_eq!(mail.ctype.mimetype, "multipart/alternative");
        // Lines travel with CRLF endings (SMTP's); nothing else may change.
        let text = part(&mail, "text/plain")
            .get_body()
            .expect("text")
            .replace("\r\n", "\n");
        assert_eq!(
            text.trim_end(),
            letter.text.trim_end(),
            "{}",
            letter.subject
        );
        let html = part(&mail, "text/html")
            .get_body()
            .expect("html")
            .replace("\r\n", "\n");
        assert_eq!(html.trim_end(), letter.html.trim_end());
    }
    // Polish letters survive the trip in the subject and the body.
    let pl = sent
        .iter()
        .find(|l| l.subject.contains("otrzymaliśmy płatność"))
        .expect("the Polish receipt");
    let raw = received(&maildir, &pl.to, 1).await.remove(0);
    let mail = mailparse::parse_mail(&raw).expect("a message");
    let text = part(&mail, "text/plain").get_body().expect("text");
    assert!(text.contains("Zespół Care Refresh"), "{text}");
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_and_loses_none() {
    let Some((address, maildir)) = smtp() else {
        return;
    };
    let down = mailing_app(&closed_port()).await;
    down.add_device("SMTP000000001", "osmo-360", None).await;
    let code = down.add_code("osmo-360", Plan::Annual).await;
    let to = unique("outage");
    let mut body = crate::helpers::activation(&code, "SMTP000000001");
    body["customer"]["email"] = Value::from(to.clone());
    assert_eq!(
        down.post_json("/api/activations", &body).await.status(),
        201
    );
    // The worker tries at once and fails; the message stays, with the reason.
    let mut tried = 0;
    for _ in 0..100 {
        tried = down
            .count(&format!(
                "SELECT attempts FROM outbox WHERE to_addr = '{to}'"
            ))
            .await;
        if tried > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(tried, 1);
    assert_eq!(
        down.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE to_addr = '{to}' AND sent_at IS NULL AND last_error IS NOT NULL"
        ))
        .await,
        1
    );
    // The server comes back (and the back-off has passed): the same instance's data,
    // an outbox that now reaches the mail server.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0")
        .execute(&down.pool().await)
        .await
        .expect("due now");
    let up = down
        .restart_with(move |s| s.smtp_url = Some(format!("smtp://{address}")))
        .await;
    let raw = received(&maildir, &to, 1).await.remove(0);
    let mail = mailparse::parse_mail(&raw).expect("a message");
    assert!(
        mail.headers
            .get_first_value("Subject")
            .is_some_and(|s| s.contains("SMTP000000001"))
    );
    assert_eq!(
        up.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE to_addr = '{to}' AND sent_at IS NOT NULL"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_message_that_failed_every_attempt_is_listed_and_sent_again() {
    let Some((address, maildir)) = smtp() else {
        return;
    };
    let down = mailing_app(&closed_port()).await;
    let to = unique("failed");
    {
        let mut letter = preview("claim_shipped", Lang::Pl).expect("a letter");
        letter.to = to.clone();
        let mut tx = down.db.write().await.expect("tx");
        outbox::insert(&mut tx, &letter, care_rules::Timestamp::now())
            .await
            .expect("queued");
        tx.commit().await.expect("commit");
    }
    // Nineteen attempts failed before; the worker makes the last one.
    sqlx::query(&format!(
        "UPDATE outbox SET attempts = {}, next_attempt_at = 0 WHERE to_addr = '{to}'",
        MAX_ATTEMPTS - 1
    ))
    .execute(&down.pool().await)
    .await
    .expect("attempts");
    down.state.outbox.notify_one();
    let staff = down.staff_cookie(Role::Service).await;
    let mut listed = Value::Null;
    for _ in 0..100 {
        let list: Value = down
            .client
            .get(down.url("/api/staff/mail/failed"))
            .header("cookie", &staff)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        if let Some(item) = list.as_array().and_then(|l| l.first()) {
            listed = item.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed["attempts"], MAX_ATTEMPTS);
    assert!(
        listed["to"]
            .as_str()
            .is_some_and(|t| t.starts_with("f***@")),
        "{listed}"
    );
    assert!(
        listed["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{listed}"
    );
    let anonymous = down
        .client
        .get(down.url("/api/staff/mail/failed"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);

    let up = down
        .restart_with(move |s| s.smtp_url = Some(format!("smtp://{address}")))
        .await;
    let id = listed["id"].as_i64().expect("id");
    let resend = |app: &TestApp| {
        app.client
            .post(app.url(&format!("/api/staff/mail/{id}/resend")))
            .header("cookie", staff.clone())
            .send()
    };
    assert_eq!(resend(&up).await.expect("sent").status(), 204);
    received(&maildir, &to, 1).await;
    assert_eq!(
        resend(&up).await.expect("sent").status(),
        404,
        "sent already"
    );
}

#[tokio::test]
async fn resending_an_id_that_is_no_message_is_a_problem_not_a_crash() {
    let app = crate::helpers::spawn_app().await;
    let staff = app.staff_cookie(Role::Service).await;
    for id in ["9223372036854775808", "Q", "-1", "1"] {
        let response = app
            .client
            .post(app.url(&format!("/api/staff/mail/{id}/resend")))
            .header("cookie", &staff)
            .send()
            .await
            .expect("sent");
        let body = crate::helpers::problem(response, 404).await;
        assert_eq!(body["code"], "not_found", "{id}");
    }
}

/// The owner's sign-in link arrives in the owner's mailbox and signs in once.
#[tokio::test]
async fn the_sign_in_link_reaches_the_owners_mailbox_and_works_once() {
    let Some((address, maildir)) = smtp() else {
        return;
    };
    let app = mailing_app(&format!("smtp://{address}")).await;
    let owner = unique("owner");
    app.add_old_device("SN0000000009").await;
    let response = app
        .post_json(
            "/api/verifications",
            &serde_json::json!({"serial": "SN0000000009", "email": owner}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let response = app
        .post_json(
            "/api/owner/access",
            &serde_json::json!({"email": owner.to_uppercase()}),
        )
        .await;
    assert_eq!(response.status(), 202);
    // The case's mail, then the link.
    let mails = received(&maildir, &owner, 2).await;
    let link = mails
        .iter()
        .filter_map(|raw| mailparse::parse_mail(raw).ok())
        .map(|mail| part(&mail, "text/plain").get_body().expect("text"))
        .find_map(|text| {
            let at = text.find("/me#token=")? + "/me#token=".len();
            Some(
                text[at..]
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>(),
            )
        })
        .expect("a sign-in link");
    let session = |token: String| {
        let app = &app;
        async move {
            app.post_json("/api/owner/session", &serde_json::json!({ "token": token }))
                .await
                .status()
        }
    };
    assert_eq!(session(link.clone()).await, 204);
    assert_eq!(session(link).await, 401);
}
