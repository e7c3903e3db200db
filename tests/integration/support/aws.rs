//! AWS fixtures in the stand-in, made with the real SDK: a cluster, a log group, the app's
//! task definition and service, each named after the test so tests run in parallel.

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType,
    LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode,
};

use aws_sdk_ecs::operation::create_service::builders::CreateServiceFluentBuilder;
use aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder;

use super::stack::Stack;

/// A short id of this test process, the same for all its tests.
fn run_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or_default();
        format!("{:x}", (std::process::id() << 8) ^ nanos)
    })
}

/// One test's world: its own access key (which scopes the stand-in's request log and
/// behaviour), cluster, log group, family and service.
pub struct World {
    pub access_key: String,
    pub cluster: String,
    pub log_group: String,
    pub family: String,
    pub service: String,
    pub ecs: aws_sdk_ecs::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub iam: aws_sdk_iam::Client,
    pub secrets_manager: aws_sdk_secretsmanager::Client,
    runtime: tokio::runtime::Runtime,
}

impl World {
    pub fn new(stack: &Stack, test: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        // The fixtures are made under a different key than the one the binary uses, so the
        // request log of `access_key` holds only what the binary sent.
        let config = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(&stack.endpoint)
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                    format!("fixture-{test}-{}", run_id()),
                    "test",
                    None,
                    None,
                    "tests",
                ))
                .load(),
        );
        // Unique per test run too, so the suite can run again against a stack that is still up.
        let test = format!("{test}-{}", run_id());
        let world = Self {
            access_key: format!("test-{test}"),
            cluster: format!("c-{test}"),
            log_group: format!("/ecs/{test}"),
            family: format!("app-{test}"),
            service: format!("web-{test}"),
            ecs: aws_sdk_ecs::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            ssm: aws_sdk_ssm::Client::new(&config),
            ecr: aws_sdk_ecr::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            secrets_manager: aws_sdk_secretsmanager::Client::new(&config),
            runtime,
        };
        world.block_on(async {
            world
                .ecs
                .create_cluster()
                .cluster_name(&world.cluster)
                .send()
                .await
                .expect("CreateCluster");
            world
                .logs
                .create_log_group()
                .log_group_name(&world.log_group)
                .send()
                .await
                .expect("CreateLogGroup");
        });
        world
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A world with an app service (see [`World::app_service`]): what most tests start from.
    pub fn with_app(stack: &Stack, test: &str, container_memory: i32) -> Self {
        let world = Self::new(stack, test);
        world.app_service(stack, container_memory);
        world
    }

    /// A world with an app service (its container of `container_memory` MiB) whose access key
    /// the stand-in treats with `behaviour` (faults, teardown, late logs; tests/stack/README.md):
    /// the setup the fault and wait tests share.
    pub fn with_service(
        stack: &Stack,
        test: &str,
        container_memory: i32,
        behaviour: serde_json::Value,
    ) -> Self {
        let world = Self::with_app(stack, test, container_memory);
        stack.set_behaviour(&world.access_key, behaviour);
        world
    }

    /// Registers the app's task definition (Fargate, awsvpc, the web container `app` running
    /// the test image with awslogs) and a service using it; returns the task definition ARN.
    /// `container_memory` is the hard limit (MiB) of `app`, which the stand-in enforces (as ECS
    /// does: the OOM killer fires at it); the task gets 256 CPU with the smallest memory
    /// Fargate pairs with it that holds the container (see [`fargate_task_memory`]).
    pub fn app_service(&self, stack: &Stack, container_memory: i32) -> String {
        self.app_service_with(stack, container_memory, Vec::new())
    }

    /// The same with `others` beside `app` in the task definition (sidecars).
    pub fn app_service_with(
        &self,
        stack: &Stack,
        container_memory: i32,
        others: Vec<ContainerDefinition>,
    ) -> String {
        self.app_service_built(
            stack,
            container_memory,
            others,
            |task| task,
            |service| service,
        )
    }

    /// [`World::app_service`] with ECS Exec turned on in the service.
    pub fn app_service_with_ecs_exec(&self, stack: &Stack, container_memory: i32) -> String {
        self.app_service_shaped(
            stack,
            container_memory,
            |task| task,
            |service| service.enable_execute_command(true),
        )
    }

    /// [`World::app_service`] whose RegisterTaskDefinition request `task` completes (volumes,
    /// ...) and whose CreateService request `service` completes (a launch type, placement, EBS
    /// volume configurations, tags...) after the defaults (Fargate, awsvpc) are set.
    pub fn app_service_shaped(
        &self,
        stack: &Stack,
        container_memory: i32,
        task: impl FnOnce(RegisterTaskDefinitionFluentBuilder) -> RegisterTaskDefinitionFluentBuilder,
        service: impl FnOnce(CreateServiceFluentBuilder) -> CreateServiceFluentBuilder,
    ) -> String {
        self.app_service_built(stack, container_memory, Vec::new(), task, service)
    }

    fn app_service_built(
        &self,
        stack: &Stack,
        container_memory: i32,
        others: Vec<ContainerDefinition>,
        shape_task: impl FnOnce(
            RegisterTaskDefinitionFluentBuilder,
        ) -> RegisterTaskDefinitionFluentBuilder,
        shape_service: impl FnOnce(CreateServiceFluentBuilder) -> CreateServiceFluentBuilder,
    ) -> String {
        let (subnets, security_groups) = stack.network();
        self.block_on(async {
            // Fargate needs an execution role to write awslogs output.
            let execution_role = self
                .iam
                .create_role()
                .role_name(format!("exec-{}", self.family))
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await
                .expect("CreateRole")
                .role()
                .expect("a role")
                .arn()
                .to_owned();
            let container = ContainerDefinition::builder()
                .name("app")
                .image(&stack.image)
                .essential(true)
                .memory(container_memory)
                .command("sh")
                .command("-c")
                .command("echo serving; sleep 3600")
                .log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awslogs)
                        .options("awslogs-group", &self.log_group)
                        .options("awslogs-region", "us-east-1")
                        .options("awslogs-stream-prefix", "web")
                        .build()
                        .expect("log configuration"),
                )
                .build();
            let task = self
                .ecs
                .register_task_definition()
                .family(&self.family)
                .execution_role_arn(execution_role)
                .network_mode(NetworkMode::Awsvpc)
                .requires_compatibilities(Compatibility::Fargate)
                .cpu("256")
                .memory(fargate_task_memory(container_memory).to_string())
                .set_container_definitions(Some(
                    std::iter::once(container)
                        .chain(others)
                        .collect::<Vec<_>>(),
                ));
            let registered = shape_task(task)
                .send()
                .await
                .expect("RegisterTaskDefinition");
            let arn = registered
                .task_definition()
                .and_then(|definition| definition.task_definition_arn())
                .expect("task definition ARN")
                .to_owned();
            let service = self
                .ecs
                .create_service()
                .cluster(&self.cluster)
                .service_name(&self.service)
                .task_definition(&arn)
                .desired_count(0)
                .launch_type(LaunchType::Fargate)
                .network_configuration(
                    NetworkConfiguration::builder()
                        .awsvpc_configuration(
                            AwsVpcConfiguration::builder()
                                .set_subnets(Some(subnets))
                                .set_security_groups(Some(security_groups))
                                .assign_public_ip(AssignPublicIp::Disabled)
                                .build()
                                .expect("awsvpc configuration"),
                        )
                        .build(),
                );
            shape_service(service)
                .send()
                .await
                .expect("CreateService");
            arn
        })
    }

    /// Stores a SecureString parameter; returns its ARN (what `secrets:` points at).
    pub fn secret_parameter(&self, name: &str, value: &str) -> String {
        self.block_on(async {
            self.ssm
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                .send()
                .await
                .expect("PutParameter");
            self.ssm
                .get_parameter()
                .name(name)
                .send()
                .await
                .expect("GetParameter")
                .parameter()
                .and_then(|parameter| parameter.arn())
                .expect("parameter ARN")
                .to_owned()
        })
    }

    /// Stores a Secrets Manager secret; returns its ARN.
    pub fn secrets_manager_secret(&self, name: &str, value: &str) -> String {
        self.block_on(async {
            self.secrets_manager
                .create_secret()
                .name(name)
                .secret_string(value)
                .send()
                .await
                .expect("CreateSecret")
                .arn()
                .expect("secret ARN")
                .to_owned()
        })
    }

    /// The revisions registered in the migration family, oldest first.
    pub fn migration_revisions(&self) -> Vec<String> {
        self.block_on(async {
            self.ecs
                .list_task_definitions()
                .family_prefix(format!("{}-migrate", self.family))
                .send()
                .await
                .expect("ListTaskDefinitions")
                .task_definition_arns()
                .to_vec()
        })
    }

    /// The migration task definition as registered (raw SDK type).
    pub fn describe_task_definition(&self, name: &str) -> aws_sdk_ecs::types::TaskDefinition {
        self.block_on(async {
            self.ecs
                .describe_task_definition()
                .task_definition(name)
                .send()
                .await
                .expect("DescribeTaskDefinition")
                .task_definition()
                .expect("a task definition")
                .clone()
        })
    }
}

/// The task memory (MiB) Fargate accepts with 256 CPU (512, 1024 or 2048) that holds a
/// container limited to `container_memory`.
pub fn fargate_task_memory(container_memory: i32) -> i32 {
    [512, 1024, 2048]
        .into_iter()
        .find(|&task| task >= container_memory)
        .unwrap_or_else(|| {
            panic!("256 CPU on Fargate has at most 2048 MiB, not {container_memory}")
        })
}
