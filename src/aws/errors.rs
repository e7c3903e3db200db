//! Turns SDK errors into messages a user can act on: the step, the AWS error code and message,
//! instead of the SDK's terse "service error".

use std::error::Error;
use std::fmt::Debug;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::hints;

/// The AWS error code of a failed call, when the service answered with one.
pub fn error_code<E, R>(error: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// Whether IAM refused the call (`AccessDeniedException` and the other services' spellings).
pub fn is_access_denied<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    error_code(error).is_some_and(hints::is_access_denied)
}

/// One line describing a failed call: `<code>: <message>` from AWS, or the transport failure.
pub fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug,
{
    match error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            match (err.code(), err.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => DisplayErrorContext(error).to_string(),
            }
        }
        _ => DisplayErrorContext(error).to_string(),
    }
}

/// `?`-friendly conversion of an SDK result into an error that names the step.
pub trait AwsResultExt<T> {
    fn step(self, what: &str) -> anyhow::Result<T>;
}

impl<T, E, R> AwsResultExt<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    fn step(self, what: &str) -> anyhow::Result<T> {
        self.map_err(|error| {
            let mut message = format!("{what}: {}", describe(&error));
            if let SdkError::ServiceError(service) = &error
                && let Some(code) = service.err().code()
                && let Some(fix) = hints::for_access_denied(
                    code,
                    &iam_action(what),
                    service.err().message().unwrap_or_default(),
                )
            {
                message.push_str(&format!("\n  fix: {fix}"));
            }
            anyhow::anyhow!(message)
        })
    }
}

/// The IAM action behind a step named after its API operation (`RunTask` → `ecs:RunTask`).
fn iam_action(step: &str) -> String {
    let operation = step.split_whitespace().next().unwrap_or(step);
    let service = match operation {
        "PutParameter" | "GetParameter" | "DeleteParameter" => "ssm",
        "GetLogEvents" | "DescribeLogGroups" => "logs",
        _ => "ecs",
    };
    format!("{service}:{operation}")
}

/// Whether a failed call may still have taken effect: the request left, but no definite answer
/// came back (a timeout, a dropped connection, a 5xx or throttling after the SDK's retries). A
/// 4xx names a request AWS refused, which changed nothing.
pub fn may_have_taken_effect<E>(error: &SdkError<E, aws_smithy_runtime_api::http::Response>) -> bool
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::ConstructionFailure(_) => false,
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error()
                || matches!(
                    service.err().code(),
                    Some("ThrottlingException" | "Throttling" | "RequestLimitExceeded")
                )
        }
        _ => true,
    }
}
