//! Pre-flight for prebuilt images: an image in an ECR repository of this account and region
//! must exist, or the task fails minutes later with CannotPullContainerError. Images elsewhere
//! (another registry, another account) are left to ECS.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::aws::Clients;
use crate::aws::errors::describe;

use super::Findings;

pub(super) async fn check(clients: &Clients, task_definition: &Value, findings: &mut Findings) {
    let images: BTreeSet<&str> = task_definition["containerDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|container| container["image"].as_str())
        .collect();
    if images.is_empty() {
        return;
    }
    let repositories = match repository_uris(clients).await {
        Ok(repositories) => repositories,
        Err(why) => {
            findings
                .unchecked
                .push(format!("ecr:DescribeRepositories: {why}"));
            return;
        }
    };
    for image in images {
        let (repository_uri, reference) = split_reference(image);
        let Some((name, _)) = repositories
            .iter()
            .find(|(_, uri)| uri.as_str() == repository_uri)
        else {
            continue;
        };
        let id = match reference {
            Reference::Digest(digest) => aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_digest(digest)
                .build(),
            Reference::Tag(tag) => aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_tag(tag)
                .build(),
        };
        let answer = clients
            .ecr
            .describe_images()
            .repository_name(name)
            .image_ids(id)
            .send()
            .await;
        match answer {
            Ok(_) => {}
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_image_not_found_exception()) =>
            {
                findings.problem(
                    format!("image {image} is not in ECR repository {name:?}: the task would fail with CannotPullContainerError"),
                    "push the image first, fix its tag, or let ecs-migrate build and push it (image.build)",
                );
            }
            Err(error) => findings
                .unchecked
                .push(format!("ecr:DescribeImages {image}: {}", describe(&error))),
        }
    }
}

/// (name, URI) of every ECR repository of this account and region.
async fn repository_uris(clients: &Clients) -> Result<Vec<(String, String)>, String> {
    let mut repositories = Vec::new();
    let mut pages = clients.ecr.describe_repositories().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| describe(&error))?;
        repositories.extend(page.repositories().iter().filter_map(|repository| {
            Some((
                repository.repository_name()?.to_owned(),
                repository.repository_uri()?.to_owned(),
            ))
        }));
    }
    Ok(repositories)
}

#[derive(Debug, PartialEq, Eq)]
enum Reference<'a> {
    Tag(&'a str),
    Digest(&'a str),
}

/// `host/repo:tag` or `host/repo@sha256:…` → (`host/repo`, tag or digest); no tag means `latest`.
fn split_reference(image: &str) -> (&str, Reference<'_>) {
    if let Some((repository, digest)) = image.split_once('@') {
        return (repository, Reference::Digest(digest));
    }
    let last_slash = image.rfind('/').map_or(0, |at| at + 1);
    match image[last_slash..].rfind(':') {
        Some(colon) => (
            &image[..last_slash + colon],
            Reference::Tag(&image[last_slash + colon + 1..]),
        ),
        None => (image, Reference::Tag("latest")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_repository_and_tag_or_digest() {
        assert_eq!(
            split_reference("127.0.0.1:5001/app:abc"),
            ("127.0.0.1:5001/app", Reference::Tag("abc"))
        );
        assert_eq!(
            split_reference("1.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:ff"),
            (
                "1.dkr.ecr.eu-west-1.amazonaws.com/app",
                Reference::Digest("sha256:ff")
            )
        );
        assert_eq!(
            split_reference("127.0.0.1:5001/team/app"),
            ("127.0.0.1:5001/team/app", Reference::Tag("latest"))
        );
    }
}
