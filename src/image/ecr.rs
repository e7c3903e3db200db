//! ECR is the only source of truth for where an image goes: the repository URI comes from its
//! answer (never from formatting account and region, which breaks on China, FIPS and test
//! endpoints), whether a tag is already pushed, and a short-lived registry login.

use std::fmt;

use anyhow::{Context, Result, anyhow};
use aws_sdk_ecr::operation::describe_images::DescribeImagesError;
use aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesError;
use aws_sdk_ecr::types::ImageIdentifier;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::aws::errors::AwsResultExt;

/// The repository's URI, or `None` when ECR says it does not exist.
pub async fn repository_uri(ecr: &aws_sdk_ecr::Client, name: &str) -> Result<Option<String>> {
    let answer = ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await;
    match answer {
        Ok(output) => Ok(output
            .repositories()
            .iter()
            .find(|repository| repository.repository_name() == Some(name))
            .and_then(|repository| repository.repository_uri())
            .map(str::to_owned)),
        Err(SdkError::ServiceError(service))
            if matches!(
                service.err(),
                DescribeRepositoriesError::RepositoryNotFoundException(_)
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error).step(&format!("ECR DescribeRepositories {name:?}")),
    }
}

/// Creates the repository (only when the user opted in) and returns the URI ECR assigned.
pub async fn create_repository(ecr: &aws_sdk_ecr::Client, name: &str) -> Result<String> {
    let output = ecr
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .step(&format!("ECR CreateRepository {name:?}"))?;
    output
        .repository()
        .and_then(|repository| repository.repository_uri())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("ECR CreateRepository {name:?} answered without a repository URI"))
}

/// The digest the tag points at, or `None` when the tag is not in the repository.
pub async fn tagged_digest(
    ecr: &aws_sdk_ecr::Client,
    repository: &str,
    tag: &str,
) -> Result<Option<String>> {
    let answer = ecr
        .describe_images()
        .repository_name(repository)
        .image_ids(ImageIdentifier::builder().image_tag(tag).build())
        .send()
        .await;
    match answer {
        Ok(output) => Ok(output
            .image_details()
            .iter()
            .find_map(|detail| detail.image_digest())
            .map(str::to_owned)),
        Err(SdkError::ServiceError(service))
            if matches!(
                service.err(),
                DescribeImagesError::ImageNotFoundException(_)
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error).step(&format!("ECR DescribeImages {repository}:{tag}")),
    }
}

/// Registry credentials from GetAuthorizationToken. `Debug` never shows the password.
pub struct RegistryLogin {
    pub username: String,
    pub password: String,
    /// The `proxyEndpoint` ECR returned, e.g. `https://123456789012.dkr.ecr.eu-west-1.amazonaws.com`.
    pub endpoint: String,
}

impl fmt::Debug for RegistryLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryLogin")
            .field("username", &self.username)
            .field("password", &"***")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

pub async fn registry_login(ecr: &aws_sdk_ecr::Client) -> Result<RegistryLogin> {
    let output = ecr
        .get_authorization_token()
        .send()
        .await
        .step("ECR GetAuthorizationToken")?;
    let data = output
        .authorization_data()
        .first()
        .ok_or_else(|| anyhow!("ECR GetAuthorizationToken answered without authorization data"))?;
    let token = data
        .authorization_token()
        .ok_or_else(|| anyhow!("ECR GetAuthorizationToken answered without a token"))?;
    let endpoint = data
        .proxy_endpoint()
        .ok_or_else(|| anyhow!("ECR GetAuthorizationToken answered without a proxyEndpoint"))?;
    let (username, password) = decode_token(token)?;
    Ok(RegistryLogin {
        username,
        password,
        endpoint: endpoint.to_owned(),
    })
}

/// The token is base64 of `user:password`.
fn decode_token(token: &str) -> Result<(String, String)> {
    let bytes = aws_smithy_types::base64::decode(token)
        .context("ECR's authorization token is not base64")?;
    let text = String::from_utf8(bytes).context("ECR's authorization token is not text")?;
    let (user, password) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("ECR's authorization token is not of the form user:password"))?;
    Ok((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_splits_into_user_and_password() {
        let token = aws_smithy_types::base64::encode("AWS:eyJwYXlsb2FkIjoi:x");
        let (user, password) = decode_token(&token).unwrap();
        assert_eq!(user, "AWS");
        assert_eq!(password, "eyJwYXlsb2FkIjoi:x");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let login = RegistryLogin {
            username: "AWS".into(),
            password: "hunter2".into(),
            endpoint: "https://r".into(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
    }
}
