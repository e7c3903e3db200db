//! Links into the AWS console for a task and its CloudWatch log stream.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

fn console_host(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("https://{region}.console.amazonaws.cn")
    } else {
        format!("https://{region}.console.aws.amazon.com")
    }
}

/// The CloudWatch console escapes path parts twice, with `$` standing in for the second `%`.
fn console_escape(part: &str) -> String {
    utf8_percent_encode(part, NON_ALPHANUMERIC)
        .to_string()
        .replace('%', "$25")
}

pub fn log_stream_url(region: &str, group: &str, stream: &str) -> String {
    format!(
        "{}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{}/log-events/{}",
        console_host(region),
        console_escape(group),
        console_escape(stream)
    )
}

pub fn task_url(region: &str, cluster: &str, task_id: &str) -> String {
    format!(
        "{}/ecs/v2/clusters/{cluster}/tasks/{task_id}/configuration?region={region}",
        console_host(region)
    )
}

/// The task id is the last path segment of its ARN.
pub fn task_id(task_arn: &str) -> &str {
    task_arn.rsplit('/').next().unwrap_or(task_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_url_double_escapes_slashes_as_the_console_does() {
        assert_eq!(
            log_stream_url("eu-west-1", "/ecs/app", "migrate/app/abc"),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1\
             #logsV2:log-groups/log-group/$252Fecs$252Fapp/log-events/migrate$252Fapp$252Fabc"
        );
    }

    #[test]
    fn china_regions_use_the_china_console() {
        assert!(
            task_url("cn-north-1", "c", "t")
                .starts_with("https://cn-north-1.console.amazonaws.cn/")
        );
    }

    #[test]
    fn task_id_is_the_last_arn_segment() {
        assert_eq!(task_id("arn:aws:ecs:us-east-1:1:task/app/0f1e"), "0f1e");
    }
}
