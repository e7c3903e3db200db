#!/usr/bin/env bash
# The hand-written CodeBuild way of running a migration, as teams write it today: start the
# task, wait for it with the AWS CLI's waiter (a poll every 6 s, 100 at most), read the exit
# code. No logs are shown. The bench runs it as is; the AWS CLI reads AWS_ENDPOINT_URL.
#
# Env: CLUSTER, TASK_DEFINITION, SUBNETS (a,b), SECURITY_GROUPS (sg), COMMAND_JSON (["sh","-c","..."]).
set -euo pipefail

network="awsvpcConfiguration={subnets=[$SUBNETS],securityGroups=[$SECURITY_GROUPS],assignPublicIp=DISABLED}"
overrides="{\"containerOverrides\":[{\"name\":\"app\",\"command\":$COMMAND_JSON}]}"

task_arn=$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" \
  --launch-type FARGATE --network-configuration "$network" --overrides "$overrides" \
  --query 'tasks[0].taskArn' --output text)
echo "started $task_arn"

aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task_arn"

exit_code=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task_arn" \
  --query 'tasks[0].containers[0].exitCode' --output text)
echo "exit code $exit_code"
[[ "$exit_code" == 0 ]]
