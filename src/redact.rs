//! Keeps secrets out of everything we print. ECS resolves `secrets:` itself, so their values
//! never reach us; but plain `environment` values can hold a password or a token, and a task
//! definition printed by `plan` or `render` would show them. Those are replaced by `***`, masked
//! in GitHub Actions, and flagged so the user moves them to `secrets:`.

use crate::report::workflow;
use serde_json::Value;

pub const MASK: &str = "***";

/// Name fragments that mark an environment variable as secret.
const SECRET_NAME_PARTS: [&str; 10] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "AUTH",
];

pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAME_PARTS.iter().any(|part| upper.contains(part))
}

/// The password in `scheme://user:password@host…`, if the value is such a URL.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

/// One secret found in a task definition: where, and the text that must not be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub container: String,
    pub variable: String,
    pub secret: String,
}

/// Every secret-looking environment value (or URL password) of every container.
pub fn find(task_definition: &Value) -> Vec<Found> {
    let mut found = Vec::new();
    for container in task_definition["containerDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = container["name"].as_str().unwrap_or_default();
        for variable in container["environment"].as_array().into_iter().flatten() {
            let (Some(key), Some(value)) = (variable["name"].as_str(), variable["value"].as_str())
            else {
                continue;
            };
            let secret = if looks_secret(key) && !value.is_empty() {
                Some(value)
            } else {
                url_password(value)
            };
            if let Some(secret) = secret {
                found.push(Found {
                    container: name.to_owned(),
                    variable: key.to_owned(),
                    secret: secret.to_owned(),
                });
            }
        }
    }
    found
}

/// Masks each secret in GitHub Actions' log and warns that it belongs in `secrets:`. Runs
/// before anything that could print the task definition.
pub fn announce(task_definition: &Value, github_actions: bool) {
    let secrets = find(task_definition);
    if github_actions {
        for found in &secrets {
            workflow::mask(&found.secret);
        }
    }
    for found in secrets {
        let warning = format!(
            "environment variable {} of container {:?} looks like a secret: it is shown as {MASK}, \
             but ECS keeps it in the task definition in plain text; move it to `secrets:` \
             (SSM Parameter Store or Secrets Manager)",
            found.variable, found.container
        );
        if github_actions {
            errln!("::warning::{warning}");
        } else {
            errln!("warning: {warning}");
        }
    }
}

/// A copy of `task_definition` safe to print.
pub fn redacted(task_definition: &Value) -> Value {
    let secrets = find(task_definition);
    let mut copy = task_definition.clone();
    for container in copy["containerDefinitions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        for variable in container["environment"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if let Some(value) = variable["value"].as_str() {
                let mut masked = value.to_owned();
                for found in &secrets {
                    masked = masked.replace(&found.secret, MASK);
                }
                variable["value"] = masked.into();
            }
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition() -> Value {
        json!({"containerDefinitions": [{"name": "app", "environment": [
            {"name": "RAILS_ENV", "value": "production"},
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "DATABASE_URL", "value": "postgres://app:s3cr3t@db:5432/app"},
            {"name": "GITHUB_TOKEN", "value": ""},
            {"name": "HOME_URL", "value": "https://example.com/a:b@c"}
        ]}]})
    }

    #[test]
    fn secret_names_and_url_passwords_are_found() {
        let secrets: Vec<String> = find(&definition())
            .into_iter()
            .map(|found| found.secret)
            .collect();
        assert_eq!(secrets, ["hunter2", "s3cr3t"]);
    }

    #[test]
    fn redaction_keeps_everything_but_the_secret() {
        let copy = redacted(&definition());
        let env = &copy["containerDefinitions"][0]["environment"];
        assert_eq!(env[0]["value"], "production");
        assert_eq!(env[1]["value"], "***");
        assert_eq!(env[2]["value"], "postgres://app:***@db:5432/app");
        assert_eq!(env[4]["value"], "https://example.com/a:b@c");
    }

    #[test]
    fn names_are_matched_whatever_their_case() {
        assert!(looks_secret("stripe_api_key"));
        assert!(looks_secret("AWS_SECRET_ACCESS_KEY"));
        assert!(!looks_secret("RAILS_ENV"));
    }
}
