//! Hostile or odd input loads as what it says or is refused with an error naming its line,
//! never a panic or a hang.

use super::*;

#[test]
fn odd_inputs_load_as_what_they_say_or_are_refused_at_their_line() {
    // Each odd but valid input, and the cluster it names.
    let loads = [
        ("\u{feff}cluster: a\nservice: web\n", "a"), // a byte order mark is not part of the key
        ("cluster: !!binary aGVsbG8=\nservice: web\n", "aGVsbG8="), // tags are ignored
        ("cluster: !Ref x\nservice: web\n", "x"),
        ("cluster: $${\nservice: web\n", "${"),
        ("cluster: \"${A:-${B}}\"\nservice: web\n", "${B}"), // a default is not expanded again
        ("cluster: \"\\u0001\"\nservice: web\n", "\u{1}"),
        ("cluster: a\nservice: web\n...\n", "a"),
        ("%YAML 1.2\n---\ncluster: a\nservice: web\n", "a"),
        ("cluster: é${CLUSTER}ü\nservice: web\n", "éapp-prodü"),
    ];
    for (yaml, cluster) in loads {
        assert_eq!(settings(yaml).cluster, cluster, "{yaml:?}");
    }
    let odd = settings("cluster: a\nservice: !!str 5\ncommand: \"\\\\\"\nenvironment: {1: 2}\n");
    assert_eq!(odd.service.as_deref(), Some("5"));
    assert_eq!(odd.command, Some(vec!["\\".to_owned()]));
    assert_eq!(odd.environment.get("1").map(String::as_str), Some("2"));

    let deep_list = format!("cluster: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    let deep_map = format!("environment: {}\n", "{a: ".repeat(1_000));
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
                  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    // Each odd input that cannot be used, and how its error begins: the file, the line, the key.
    let refused = [
        (
            "\0",
            "ecs-migrate.yml:1: invalid YAML: control characters are not allowed",
        ),
        (
            "\t",
            "ecs-migrate.yml:1: invalid YAML: found character that cannot start any token",
        ),
        (
            ":",
            "ecs-migrate.yml:1: invalid YAML: did not find expected key",
        ),
        (
            "? [a, b]\n: c\n",
            "ecs-migrate.yml:1: ?: expected field identifier, found a list",
        ),
        (
            "{a: 1}: x\n",
            "ecs-migrate.yml:1: ?: expected field identifier, found a mapping",
        ),
        (
            "<<: {cluster: a}\n",
            "ecs-migrate.yml:1: <<: unknown key (valid keys: cluster,",
        ),
        (
            "cluster: ${\n",
            "ecs-migrate.yml:1: cluster: unterminated `${`",
        ),
        (
            "cluster: ${}\n",
            "ecs-migrate.yml:1: cluster: invalid variable name \"\"",
        ),
        (
            "cpu: 99999999999999999999\n",
            "ecs-migrate.yml:1: invalid YAML: invalid type: integer `99999999999999999999`",
        ),
        (
            "cpu: -1\nmemory: 1.5\n",
            "ecs-migrate.yml:1: cpu: invalid number \"-1\"",
        ),
        (
            "cluster: a\nservice: web\nmemory: 1.5\n",
            "ecs-migrate.yml:3: memory: invalid number \"1.5\"",
        ),
        (
            "timeout: 99999999999999999999h\n",
            "ecs-migrate.yml:1: timeout: invalid duration",
        ),
        (
            "command: {a: b}\n",
            "ecs-migrate.yml:1: command: expected a list of arguments",
        ),
        (
            "capacity_provider_strategy: {a: 1}\n",
            "ecs-migrate.yml:1: capacity_provider_strategy: expected a list, found a mapping",
        ),
        (
            &deep_list,
            "ecs-migrate.yml:1: invalid YAML: recursion limit exceeded",
        ),
        (
            &deep_map,
            "ecs-migrate.yml:1: invalid YAML: recursion limit exceeded",
        ),
        (
            laughs,
            "ecs-migrate.yml: invalid YAML: repetition limit exceeded",
        ),
    ];
    for (yaml, start) in refused {
        let error = resolve_error(yaml);
        assert!(error.starts_with(start), "{yaml:.60?}: {error}");
    }
}

#[test]
fn aliases_are_followed() {
    let raw = load("cluster: &c app-prod\nservice: *c\n").unwrap();
    assert_eq!(raw.service.as_deref(), Some("app-prod"));
}
