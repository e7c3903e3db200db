//! `${VAR}` expansion as seen through the file: values only, after YAML parsing, with errors
//! that point at the key and line.

use super::*;

#[test]
fn expands_values_after_parsing_so_they_cannot_break_the_yaml() {
    let raw = load(
        "cluster: ${CLUSTER}\n\
         service: web\n\
         environment:\n  PASSWORD: ${TRICKY}\n  LITERAL: $${NOT_A_VAR}\n  SHELL: echo $HOME\n\
         image:\n  repository: app\n  tag: \"sha-${GITHUB_SHA}\"\n",
    )
    .unwrap();
    assert_eq!(raw.cluster.as_deref(), Some("app-prod"));
    let environment = raw.environment.unwrap();
    assert_eq!(environment["PASSWORD"], "p@ss: #1 {x}");
    assert_eq!(environment["LITERAL"], "${NOT_A_VAR}");
    assert_eq!(environment["SHELL"], "echo $HOME");
    assert_eq!(raw.image.unwrap().tag.as_deref(), Some("sha-abc123"));
}

#[test]
fn defaults_apply_when_unset_or_empty() {
    let raw = load("cluster: ${MISSING:-fallback}\nservice: ${EMPTY:-web}\ncontainer: ${EMPTY}\n")
        .unwrap();
    assert_eq!(raw.cluster.as_deref(), Some("fallback"));
    assert_eq!(raw.service.as_deref(), Some("web"));
    assert_eq!(raw.container.as_deref(), Some(""));
}

#[test]
fn keys_are_never_expanded() {
    let raw = load("cluster: a\ntags:\n  ${GITHUB_SHA}: x\n").unwrap();
    assert_eq!(
        raw.tags.unwrap().keys().collect::<Vec<_>>(),
        ["${GITHUB_SHA}"]
    );
}

#[test]
fn typed_values_and_lists_can_come_from_variables() {
    let raw = load(
        "cluster: a\ncpu: ${CPU}\nmemory: \"${MEMORY:-2048}\"\ntimeout: ${TIMEOUT:-45m}\n\
         network:\n  subnets: ${SUBNETS}\n  security_groups: [sg-1, \"${SG:-sg-2}\"]\n  \
         assign_public_ip: ${PUBLIC}\n\
         command: bin/migrate --to ${GITHUB_SHA}\n",
    )
    .unwrap();
    assert_eq!((raw.cpu, raw.memory), (Some(1024), Some(2048)));
    assert_eq!(raw.timeout.as_deref(), Some("45m"));
    let network = raw.network.unwrap();
    assert_eq!(network.subnets.unwrap(), ["subnet-a", "subnet-b"]);
    assert_eq!(network.security_groups.unwrap(), ["sg-1", "sg-2"]);
    assert_eq!(network.assign_public_ip, Some(true));
    assert_eq!(
        raw.command,
        Some(CommandSpec::Shell("bin/migrate --to abc123".to_owned()))
    );
}

#[test]
fn undefined_variables_name_the_variable_the_key_and_the_line() {
    assert_eq!(
        load_error("cluster: a\nservice: web\nimage:\n  repository: app\n  tag: ${GIT_SHA}\n"),
        "ecs-migrate.yml:5: image.tag: variable `GIT_SHA` is not set (set it in the environment, \
         or give a default: `${GIT_SHA:-value}`)"
    );
    assert_eq!(
        load_error("cluster: a\nenvironment:\n  DATABASE_URL: ${DB_URL}\n"),
        "ecs-migrate.yml:3: environment.DATABASE_URL: variable `DB_URL` is not set (set it in the \
         environment, or give a default: `${DB_URL:-value}`)"
    );
    assert_eq!(
        load_error("cluster: a\ncommand:\n  - migrate\n  - ${TARGET}\n"),
        "ecs-migrate.yml:4: command[1]: variable `TARGET` is not set (set it in the environment, \
         or give a default: `${TARGET:-value}`)"
    );
}

#[test]
fn unterminated_and_invalid_references_are_errors() {
    assert_eq!(
        load_error("service: web\ncluster: \"${CLUSTER\"\n"),
        "ecs-migrate.yml:2: cluster: unterminated `${` in \"${CLUSTER\" (close it with `}`, or \
         write `$$` for a literal `$`)"
    );
    assert!(
        load_error("cluster: ${1X}\n")
            .starts_with("ecs-migrate.yml:1: cluster: invalid variable name \"1X\" in \"${1X}\"")
    );
}

#[test]
fn escaped_references_in_quoted_strings_are_expanded_too() {
    // The variable only appears once YAML has decoded the escape.
    let raw = load("cluster: \"\\x24{CLUSTER}\"\n").unwrap();
    assert_eq!(raw.cluster.as_deref(), Some("app-prod"));
}

#[test]
fn typed_values_that_expand_to_nothing_are_unset() {
    let raw = load(
        "cluster: a\ncpu: ${EMPTY}\ntimeout: \"${MISSING:-}\"\non_cancel: ${EMPTY}\n\
         network: { assign_public_ip: \"${EMPTY}\" }\n",
    )
    .unwrap();
    assert_eq!((raw.cpu, raw.timeout, raw.on_cancel), (None, None, None));
    assert_eq!(raw.network.unwrap().assign_public_ip, None);
}
