//! Email: the messages (templates in `server/templates/email/`), the outbox they are
//! queued to in the transaction of the change that causes them, and the worker that
//! delivers the outbox with lettre, retrying with back-off until they go.
//!
//! A message is rendered once, when it is queued: plain text from its template, and an
//! HTML alternative laid out from that same text, so the two never say different things.

pub mod failed;
pub mod messages;
pub mod outbox;
pub mod preview;
pub mod transport;

use crate::db::Tx;
use anyhow::Result;
use askama::Template;
use care_rules::Timestamp;
pub use messages::Message;

/// A rendered message, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Sent at once, above the recipient's hourly limit (see [`Message::essential`]).
    pub essential: bool,
}

/// Renders `message` for `to`.
pub fn compose(to: &str, message: &impl Message) -> Result<Letter> {
    let (subject, text) = message.render()?;
    let html = Layout {
        lang: message.lang().as_str(),
        subject: &subject,
        paragraphs: paragraphs(&text, message.link()),
    }
    .render()?;
    Ok(Letter {
        to: to.to_owned(),
        subject: subject.trim().to_owned(),
        text,
        html,
        essential: message.essential(),
    })
}

/// Queues `message` to `to`, in the transaction of the change that causes it.
/// An erased owner's address is empty: nothing is queued to it.
pub async fn queue(tx: &mut Tx, to: &str, message: &impl Message, at: Timestamp) -> Result<()> {
    if to.is_empty() {
        return Ok(());
    }
    outbox::insert(tx, &compose(to, message)?, at).await
}

/// The HTML alternative: the text's paragraphs in the portal's frame.
#[derive(Template)]
#[template(path = "email/layout.html")]
struct Layout<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: Vec<Vec<Vec<Piece>>>,
}

/// A run of a line: text, or the message's link.
struct Piece {
    text: String,
    link: bool,
}

/// Paragraphs (split at blank lines) of lines of pieces; the message's own `link` is
/// the only piece that becomes an anchor.
fn paragraphs(text: &str, link: &str) -> Vec<Vec<Vec<Piece>>> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|paragraph| paragraph.lines().map(|line| pieces(line, link)).collect())
        .collect()
}

fn pieces(line: &str, link: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(link).filter(|_| !link.is_empty()) {
        if at > 0 {
            out.push(Piece {
                text: rest[..at].to_owned(),
                link: false,
            });
        }
        out.push(Piece {
            text: link.to_owned(),
            link: true,
        });
        rest = &rest[at + link.len()..];
    }
    if !rest.is_empty() {
        out.push(Piece {
            text: rest.to_owned(),
            link: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::messages::CaseOpened;
    use care_rules::Lang;

    #[test]
    fn the_html_alternative_says_what_the_text_says() {
        let message = CaseOpened {
            lang: Lang::Pl,
            serial: "SN0000000001".to_owned(),
            link: "https://care.example/verification/abc".to_owned(),
        };
        let letter = compose("jan@example.pl", &message).expect("rendered");
        assert_eq!(
            letter.subject,
            "Care Refresh: film weryfikacyjny dla SN0000000001"
        );
        assert!(
            letter
                .text
                .contains("https://care.example/verification/abc\n")
        );
        assert!(letter.html.contains("<html lang=\"pl\">"));
        assert!(
            letter
                .html
                .contains("<a href=\"https://care.example/verification/abc\"")
        );
        assert!(letter.html.contains("numerze seryjnym SN0000000001"));
    }

    #[test]
    fn only_the_message_link_becomes_an_anchor_and_text_is_escaped() {
        let p = paragraphs(
            "Hi <b>Jan</b> http://evil.example\n\nsee https://care.example/x now",
            "https://care.example/x",
        );
        let html = Layout {
            lang: "en",
            subject: "s",
            paragraphs: p,
        }
        .render()
        .expect("rendered");
        assert!(
            html.contains("Hi &#60;b&#62;Jan&#60;/b&#62; http://evil.example"),
            "{html}"
        );
        assert_eq!(html.matches("<a href").count(), 1);
        assert!(html.contains(">https://care.example/x</a> now"));
    }
}
