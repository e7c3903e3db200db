//! Posts the result to a Slack incoming webhook (`report.slack_webhook`, `--slack-webhook`,
//! `SLACK_WEBHOOK_URL`): a one-line `text` for notifications and Block Kit `blocks` for the
//! channel. The webhook URL is a secret: it is masked in GitHub Actions and never printed, not
//! even inside an error message.

use std::time::Duration;

use serde_json::{Value, json};

use crate::outcome::{Outcome, Status};
use crate::text::shorten_chars;

use super::summary::{status_words, stop_reason};

/// Slack shows at most 3,000 characters in a section and 2,000 in a field.
const SECTION_LIMIT: usize = 2900;
const FIELD_LIMIT: usize = 1900;
const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// The message for `outcome`; `run_url` links the CI run when there is one.
pub fn message(outcome: &Outcome, run_url: Option<&str>) -> Value {
    let icon = match outcome.status {
        Status::Succeeded => ":white_check_mark:",
        Status::Failed => ":x:",
        Status::TimedOut => ":hourglass:",
        Status::Cancelled => ":no_entry_sign:",
        Status::Planned => ":memo:",
        Status::Rejected => ":no_entry:",
    };
    let status = status_words(outcome.status);
    let mut headline = format!("Migration {} {status}", outcome.subject());
    if let Some(code) = outcome.exit_code {
        headline.push_str(&format!(" (exit code {code})"));
    }
    let mut title = format!("{icon} *{}*", escape(&headline));
    if let Some(reason) = &outcome.reason {
        title.push('\n');
        title.push_str(&escape(reason));
    }
    let mut fields = Vec::new();
    let mut field = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            let text = shorten_chars(&format!("*{label}*\n{}", escape(&value)), FIELD_LIMIT);
            fields.push(json!({"type": "mrkdwn", "text": text}));
        }
    };
    field("Environment", outcome.environment.clone());
    field("Image", outcome.image.clone());
    field("Command", outcome.command.as_ref().map(shell_words::join));
    field(
        "Duration",
        outcome
            .duration_seconds
            .map(|seconds| humantime::format_duration(Duration::from_secs(seconds)).to_string()),
    );
    field("Applied", outcome.applied_text());
    field("Version", outcome.version_text("→"));
    field("Pending", outcome.pending_text());
    field("Stop reason", stop_reason(outcome));
    let links: Vec<String> = [
        ("CloudWatch logs", outcome.log_url.as_deref()),
        ("ECS task", outcome.task_url.as_deref()),
        ("CI run", run_url),
    ]
    .into_iter()
    .filter_map(|(label, url)| Some(format!("<{}|{label}>", url?)))
    .collect();

    let mut blocks = vec![json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten_chars(&title, SECTION_LIMIT)},
    })];
    if !fields.is_empty() {
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if !links.is_empty() {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": links.join(" · ")}],
        }));
    }
    json!({"text": headline, "blocks": blocks})
}

/// POSTs `body`; the error says what went wrong without the URL.
pub async fn post(url: &str, body: &Value) -> Result<(), String> {
    let url = url.to_owned();
    let body = body.clone();
    let sent = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(POST_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        let answer = agent.post(&url).send_json(&body);
        (url, answer)
    })
    .await
    .map_err(|error| format!("the request did not complete: {error}"))?;
    let (url, answer) = sent;
    match answer {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!(
            "Slack answered HTTP {}",
            response.status().as_u16()
        )),
        Err(ureq::Error::Timeout(_)) => {
            Err(format!("no answer within {}s", POST_TIMEOUT.as_secs()))
        }
        Err(error) => Err(without_url(&error.to_string(), &url)),
    }
}

/// Slack's mrkdwn reads `&`, `<` and `>` as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Removes the webhook URL, and its secret path on its own, from an error message.
fn without_url(message: &str, url: &str) -> String {
    let mut text = message.replace(url, "<the webhook>");
    if let Some((_, rest)) = url.split_once("://")
        && let Some((_, path)) = rest.split_once('/')
        && !path.is_empty()
    {
        text = text.replace(path, "***");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_has_a_notification_text_and_escaped_blocks() {
        let mut outcome = Outcome::new("db", Status::Failed);
        outcome.exit_code = Some(3);
        outcome.reason = Some("exit <3> & more".to_owned());
        outcome.log_url = Some("https://logs".to_owned());
        let body = message(&outcome, Some("https://github.com/o/r/actions/runs/1"));
        assert_eq!(body["text"], "Migration db failed (exit code 3)");
        assert_eq!(
            body["blocks"][0]["text"]["text"],
            ":x: *Migration db failed (exit code 3)*\nexit &lt;3&gt; &amp; more"
        );
        assert_eq!(
            body["blocks"][1]["elements"][0]["text"],
            "<https://logs|CloudWatch logs> · <https://github.com/o/r/actions/runs/1|CI run>"
        );
    }

    #[test]
    fn the_environment_is_in_the_headline_and_a_field() {
        let mut outcome = Outcome::new("db", Status::Succeeded);
        outcome.environment = Some("production".into());
        let body = message(&outcome, None);
        assert_eq!(body["text"], "Migration db (production) succeeded");
        let fields = body["blocks"][1]["fields"].to_string();
        assert!(fields.contains("*Environment*\\nproduction"), "{body}");
    }

    #[test]
    fn applied_version_pending_are_fields_and_a_failed_verification_is_the_reason() {
        let mut outcome = Outcome::new("db", Status::Failed);
        outcome.applied = Some(vec!["20240502101240".into()]);
        outcome.version = Some(crate::outcome::Version::Change {
            before: Some("20240101000000".into()),
            after: Some("20240502101240".into()),
        });
        outcome.pending = Some(vec!["20240601000000".into()]);
        outcome.reason =
            Some("migrated, but verification pending failed: 1 pending: 20240601000000".into());
        let body = message(&outcome, None);
        assert_eq!(
            body["blocks"][0]["text"]["text"],
            ":x: *Migration db failed*\nmigrated, but verification pending failed: 1 pending: \
             20240601000000"
        );
        assert_eq!(
            body["blocks"][1]["fields"],
            json!([
                {"type": "mrkdwn", "text": "*Applied*\n20240502101240"},
                {"type": "mrkdwn", "text": "*Version*\n20240101000000 → 20240502101240"},
                {"type": "mrkdwn", "text": "*Pending*\n20240601000000"},
            ])
        );
    }

    #[test]
    fn error_messages_never_carry_the_webhook() {
        let url = "https://hooks.slack.com/services/T0/B0/secretpart";
        assert_eq!(
            without_url(&format!("failed to reach {url}: refused"), url),
            "failed to reach <the webhook>: refused"
        );
        assert_eq!(
            without_url("bad path services/T0/B0/secretpart", url),
            "bad path ***"
        );
    }
}
