//! Hostile or odd input must end in `Ok` or a `ConfigError`, never a panic or a hang.

use super::*;

#[test]
fn odd_inputs_never_panic() {
    let deep_list = format!("cluster: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    let deep_map = format!("environment: {}\n", "{a: ".repeat(1_000));
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
                  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    let inputs = [
        "\u{feff}cluster: a\n",
        "\0",
        "\t",
        ":",
        "? [a, b]\n: c\n",
        "{a: 1}: x\n",
        "cluster: !!binary aGVsbG8=\n",
        "cluster: !Ref x\nservice: !!str 5\n",
        "<<: {cluster: a}\n",
        "cluster: ${\n",
        "cluster: ${}\n",
        "cluster: $${\n",
        "cluster: \"${A:-${B}}\"\n",
        "cpu: 99999999999999999999\n",
        "cpu: -1\nmemory: 1.5\n",
        "timeout: 99999999999999999999h\n",
        "timeout: 18446744073709551615ms\n",
        "command: \"\\\\\"\n",
        "command: {a: b}\n",
        "environment: {1: 2, true: null, ~: x}\n",
        "capacity_provider_strategy: {a: 1}\n",
        "network: {subnets: \",,,\"}\n",
        "cluster: \"\\u0001\"\n",
        "cluster: a\n...\n",
        "%YAML 1.2\n---\ncluster: a\n",
        "cluster: é${CLUSTER}ü\n",
        &deep_list,
        &deep_map,
        laughs,
    ];
    for yaml in inputs {
        let outcome = load(yaml).and_then(|raw| raw.resolve(None));
        if let Err(error) = outcome {
            assert!(!error.to_string().is_empty());
        }
    }
}

#[test]
fn aliases_are_followed() {
    let raw = load("cluster: &c app-prod\nservice: *c\n").unwrap();
    assert_eq!(raw.service.as_deref(), Some("app-prod"));
}
