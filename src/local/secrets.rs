//! The values of a container's `secrets` for a local run: given by the developer (`local.env`,
//! `--env-file`), else read with their own credentials from where ECS would read them, SSM
//! Parameter Store or Secrets Manager (with `:json-key` picked out as ECS does). Values are
//! returned to be passed to Docker, never printed.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::aws::Clients;
use crate::aws::errors::AwsResultExt;

/// One entry of a container definition's `secrets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub name: String,
    pub value_from: String,
}

pub fn container_secrets(container: &Value) -> Vec<Secret> {
    let entries = container["secrets"].as_array().map(Vec::as_slice);
    entries
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| {
            Some(Secret {
                name: entry["name"].as_str()?.to_owned(),
                value_from: entry["valueFrom"].as_str()?.to_owned(),
            })
        })
        .collect()
}

/// Where ECS reads a `valueFrom`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Parameter(String),
    /// The secret's id, and the JSON key whose value to take.
    SecretsManager {
        id: String,
        json_key: Option<String>,
    },
}

fn source(value_from: &str) -> Source {
    let fields: Vec<&str> = value_from.split(':').collect();
    match fields.as_slice() {
        ["arn", _, "secretsmanager", ..] if fields.len() >= 7 => {
            let json_key = fields.get(7).filter(|key| !key.is_empty());
            Source::SecretsManager {
                id: fields[..7].join(":"),
                json_key: json_key.map(|key| (*key).to_owned()),
            }
        }
        ["arn", _, "ssm", _, _, resource] => {
            let name = resource.strip_prefix("parameter").unwrap_or(resource);
            // `parameter/a/b` names `/a/b`; `parameter/db` names `db`.
            let name = name.strip_prefix('/').unwrap_or(name);
            Source::Parameter(match name.contains('/') {
                true => format!("/{name}"),
                false => name.to_owned(),
            })
        }
        _ => Source::Parameter(value_from.to_owned()),
    }
}

/// Each secret's value: from `given` where it names the secret, else from AWS (`clients`;
/// None: no AWS access, which is an error naming what to give instead).
pub async fn resolve(
    secrets: &[Secret],
    given: &BTreeMap<String, String>,
    clients: Option<&Clients>,
) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for secret in secrets {
        if let Some(value) = given.get(&secret.name) {
            values.insert(secret.name.clone(), value.clone());
            continue;
        }
        let Some(clients) = clients else {
            bail!(
                "secret {} ({}) has no local value and AWS cannot be reached to read it: give \
                 it in `local.env` or an --env-file, or AWS credentials and a region",
                secret.name,
                secret.value_from
            );
        };
        let value = fetch(clients, &source(&secret.value_from))
            .await
            .with_context(|| format!("reading secret {} for the local run", secret.name))?;
        values.insert(secret.name.clone(), value);
    }
    Ok(values)
}

async fn fetch(clients: &Clients, source: &Source) -> Result<String> {
    match source {
        Source::Parameter(name) => {
            let answer = clients
                .ssm
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send()
                .await
                .step(&format!("GetParameter {name}"))?;
            answer
                .parameter()
                .and_then(|parameter| parameter.value())
                .map(str::to_owned)
                .with_context(|| format!("parameter {name} has no value"))
        }
        Source::SecretsManager { id, json_key } => {
            let answer = clients
                .secrets_manager()
                .get_secret_value()
                .secret_id(id)
                .send()
                .await
                .step(&format!("GetSecretValue {id}"))?;
            let text = answer
                .secret_string()
                .with_context(|| format!("secret {id} has no text value"))?;
            match json_key {
                None => Ok(text.to_owned()),
                Some(key) => {
                    let document: Value = serde_json::from_str(text).with_context(|| {
                        format!("secret {id} is not JSON, so it has no key {key}")
                    })?;
                    match &document[key] {
                        Value::String(value) => Ok(value.clone()),
                        Value::Null => bail!("secret {id} has no key {key}"),
                        other => Ok(other.to_string()),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_from_names_the_parameter_or_secret_ecs_would_read() {
        assert_eq!(
            source("arn:aws:ssm:us-east-1:123456789012:parameter/app/database-url"),
            Source::Parameter("/app/database-url".into())
        );
        assert_eq!(
            source("arn:aws:ssm:us-east-1:123456789012:parameter/db"),
            Source::Parameter("db".into())
        );
        assert_eq!(source("/app/db"), Source::Parameter("/app/db".into()));
        assert_eq!(
            source("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf"),
            Source::SecretsManager {
                id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf".into(),
                json_key: None
            }
        );
        assert_eq!(
            source("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf:password::"),
            Source::SecretsManager {
                id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf".into(),
                json_key: Some("password".into())
            }
        );
    }

    #[tokio::test]
    async fn a_secret_given_locally_needs_no_aws_and_one_missing_names_what_to_give() {
        let secrets = vec![Secret {
            name: "DATABASE_URL".into(),
            value_from: "arn:aws:ssm:us-east-1:1:parameter/db".into(),
        }];
        let given = BTreeMap::from([("DATABASE_URL".to_owned(), "postgres://local".to_owned())]);
        let values = resolve(&secrets, &given, None).await.unwrap();
        assert_eq!(values["DATABASE_URL"], "postgres://local");
        let error = resolve(&secrets, &BTreeMap::new(), None).await.unwrap_err();
        assert!(
            error.to_string().contains(
                "secret DATABASE_URL (arn:aws:ssm:us-east-1:1:parameter/db) has no local value"
            ),
            "{error}"
        );
    }
}
