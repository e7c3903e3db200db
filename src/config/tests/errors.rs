//! Parse-time errors: each names the file, the line, the key path and the fix.

use super::*;

#[track_caller]
fn assert_error(yaml: &str, expected: &str) {
    assert_eq!(load_error(yaml), expected, "for fixture:\n{yaml}");
}

#[test]
fn unknown_keys_suggest_the_closest_spelling() {
    assert_error(
        "cluster: app-prod\nclustr: app-staging\n",
        "ecs-migrate.yml:2: clustr: unknown key (did you mean `cluster`?)",
    );
    assert_error(
        "cluster: app-prod\nservice: web\nnetwork:\n  subnetz: [subnet-1]\n",
        "ecs-migrate.yml:4: network.subnetz: unknown key (did you mean `subnets`?)",
    );
    assert_error(
        "cluster: a\nimage:\n  repository: app\n  build:\n    contxt: .\n",
        "ecs-migrate.yml:5: image.build.contxt: unknown key (did you mean `context`?)",
    );
    assert_error(
        "cluster: a\ncapacity_provider_strategy:\n  - capacity_provider: FARGATE\n    wieght: 1\n",
        "ecs-migrate.yml:4: capacity_provider_strategy[0].wieght: unknown key (did you mean `weight`?)",
    );
}

#[test]
fn unknown_keys_without_a_close_match_list_the_valid_ones_or_the_right_section() {
    assert_error(
        "cluster: a\nreport:\n  teams: true\n",
        "ecs-migrate.yml:3: report.teams: unknown key (valid keys: pr_comment, check_run, \
         summary, slack_webhook, path_map, error_pattern)",
    );
    assert_error(
        "cluster: a\nsubnets: [subnet-1]\n",
        "ecs-migrate.yml:2: subnets: unknown key at the top level (it belongs under `network`)",
    );
    assert!(load_error("cluster: a\nzzz: 1\n").starts_with(
        "ecs-migrate.yml:2: zzz: unknown key (valid keys: cluster, service, task_definition,"
    ));
}

#[test]
fn wrong_types_say_what_was_expected() {
    assert_error(
        "cluster: a\ncpu: lots\n",
        "ecs-migrate.yml:2: cpu: invalid number \"lots\" (use a whole number, e.g. 512)",
    );
    assert_error(
        "cluster: a\nnetwork:\n  assign_public_ip: yes\n",
        "ecs-migrate.yml:3: network.assign_public_ip: invalid boolean \"yes\" (use true or false)",
    );
    assert_error(
        "cluster: a\nnetwork: 5\n",
        "ecs-migrate.yml:2: network: expected a mapping of keys, found integer 5",
    );
    assert_error(
        "cluster: a\nnetwork:\n  subnets: {a: 1}\n",
        "ecs-migrate.yml:3: network.subnets: expected a list of strings, found a mapping",
    );
    assert_error(
        "cluster: a\nenvironment:\n  RAILS_ENV:\n    nested: 1\n",
        "ecs-migrate.yml:4: environment.RAILS_ENV: expected a string, found a mapping",
    );
    assert_error(
        "cluster: a\ncapacity_provider_strategy:\n  - weight: 1\n",
        "ecs-migrate.yml:3: capacity_provider_strategy[0]: missing key `capacity_provider` \
         (add `capacity_provider: <value>`)",
    );
}

#[test]
fn bad_durations_and_keywords_list_what_is_accepted() {
    assert_error(
        "cluster: a\n\n# the wait\ntimeout: 1hour\n",
        "ecs-migrate.yml:4: timeout: invalid duration \"1hour\" (use e.g. 90s, 15m, 1h30m)",
    );
    assert_error(
        "cluster: a\npoll_interval: 0s\n",
        "ecs-migrate.yml:2: poll_interval: duration \"0s\" must be longer than zero \
         (use e.g. 90s, 15m, 1h30m)",
    );
    assert_error(
        "cluster: a\non_cancel: maybe\n",
        "ecs-migrate.yml:2: on_cancel: invalid value \"maybe\" (use one of: stop, leave)",
    );
    assert_error(
        "cluster: a\nkeep_containers: some\n",
        "ecs-migrate.yml:2: keep_containers: invalid value \"some\" (use one of: dependencies, all)",
    );
    assert_error(
        "cluster: a\nlaunch_type: LAMBDA\n",
        "ecs-migrate.yml:2: launch_type: invalid launch type \"LAMBDA\" (use one of FARGATE, EC2, \
         EXTERNAL, or set capacity_provider_strategy instead)",
    );
}

#[test]
fn commands_that_do_not_split_point_at_the_line() {
    assert_error(
        "cluster: a\ncommand: bin/rails db:migrate 'oops\n",
        "ecs-migrate.yml:2: command: cannot split \"bin/rails db:migrate 'oops\" into arguments: \
         missing closing quote (balance the quotes, or write a list: [\"bin/rails\", \"db:migrate\"])",
    );
}

#[test]
fn malformed_yaml_is_reported_as_such() {
    assert_error(
        "cluster: a\n  service: b\n",
        "ecs-migrate.yml:2: invalid YAML: mapping values are not allowed in this context \
         (check the indentation and quoting)",
    );
    assert_error(
        "cluster: [\n",
        "ecs-migrate.yml:2: invalid YAML: did not find expected node content, while parsing a \
         flow node (check the indentation and quoting)",
    );
    assert_error(
        "cluster: a\ncommand: [migrate, ${TARGET}]\n",
        "ecs-migrate.yml:2: invalid YAML: did not find expected ',' or ']', while parsing a flow \
         sequence (quote values that use `${…}` inside [ ] or { }, e.g. [\"${VAR}\"])",
    );
    assert_error(
        "cluster: a\nservice: web\ncluster: b\n",
        "ecs-migrate.yml:3: duplicate key `cluster` (each key may appear only once)",
    );
    assert_error(
        "cluster: a\n---\ncluster: b\n",
        "ecs-migrate.yml:2: the file holds more than one YAML document (keep one: remove the \
         extra `---`)",
    );
}

#[test]
fn empty_and_non_mapping_documents_are_rejected() {
    let empty = "ecs-migrate.yml:1: the config file is empty (add at least `cluster: <name>` and \
                 `service: <name>`)";
    for yaml in ["", "\n\n", "# nothing yet\n", "---\n", "~\n"] {
        assert_error(yaml, empty);
    }
    assert_error(
        "# a list by mistake\n- cluster: a\n",
        "ecs-migrate.yml:2: expected a mapping of keys such as `cluster: app-prod`, found a list",
    );
    assert_error(
        "app-prod\n",
        "ecs-migrate.yml:1: expected a mapping of keys such as `cluster: app-prod`, found string \
         \"app-prod\"",
    );
}

#[test]
fn a_bad_error_pattern_is_reported_at_its_line() {
    let broken = load_error("cluster: a\nreport:\n  error_pattern: \"(?P<file>[a-z\"\n");
    assert!(
        broken.starts_with("ecs-migrate.yml:3: report.error_pattern: invalid regular expression"),
        "{broken}"
    );
    assert_error(
        "cluster: a\nreport:\n  error_pattern: '(?P<file>\\S+): (?P<msg>.+)'\n",
        "ecs-migrate.yml:3: report.error_pattern: the pattern \"(?P<file>\\\\S+): (?P<msg>.+)\" \
         has no (?P<message>…) group (name the parts of a matching line: `file` and `message` \
         are required, `line` is optional)",
    );
}
