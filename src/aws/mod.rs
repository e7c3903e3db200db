//! The one place that builds AWS SDK clients: region, profile, endpoint (`AWS_ENDPOINT_URL`,
//! honoured by the SDK itself), retries and timeouts are decided here and nowhere else.

pub mod errors;
pub mod raw_json;

use std::time::Duration;

use anyhow::Result;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::failure::usage;

/// Where to reach AWS, as the user asked on the command line.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub region: Option<String>,
    pub profile: Option<String>,
}

/// The SDK clients of one run, sharing one connection pool and credentials cache.
#[derive(Debug, Clone)]
pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub iam: aws_sdk_iam::Client,
    pub region: String,
    sdk_config: SdkConfig,
}

impl Clients {
    pub async fn connect(target: &Target) -> Result<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(5))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(region) = &target.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &target.profile {
            loader = loader.profile_name(profile);
        }
        let sdk_config = loader.load().await;
        let region = sdk_config
            .region()
            .map(|region| region.to_string())
            .ok_or_else(|| {
                usage(
                    "no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile",
                )
            })?;
        Ok(Self {
            ecs: aws_sdk_ecs::Client::new(&sdk_config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&sdk_config),
            ssm: aws_sdk_ssm::Client::new(&sdk_config),
            ec2: aws_sdk_ec2::Client::new(&sdk_config),
            ecr: aws_sdk_ecr::Client::new(&sdk_config),
            iam: aws_sdk_iam::Client::new(&sdk_config),
            region,
            sdk_config,
        })
    }

    /// A Secrets Manager client, made only when a local run fetches a secret from there.
    pub fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&self.sdk_config)
    }

    /// A CloudWatch Logs client for the region a container's `awslogs-region` names.
    pub fn logs_in(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        if region == self.region {
            return self.logs.clone();
        }
        let config = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk_config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_cloudwatchlogs::Client::from_conf(config)
    }
}
