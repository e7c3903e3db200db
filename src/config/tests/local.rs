//! `local:`: the Docker network (host by default), the env file relative to the config file,
//! values merged key by key under the flags, and misspelt keys named.

use super::*;

#[test]
fn local_defaults_to_the_host_network_and_no_values() {
    let local = settings("cluster: a\nservice: s\n").local;
    assert_eq!(local.network, "host");
    assert_eq!(local.env_file, None);
    assert!(local.env.is_empty());
}

#[test]
fn local_keys_resolve_with_the_env_file_beside_the_config() {
    let local = settings(
        "cluster: a\nservice: s\nlocal:\n  network: devnet\n  env_file: .env.local\n  \
         env: { DATABASE_URL: 'postgres://localhost/app' }\n",
    )
    .local;
    assert_eq!(local.network, "devnet");
    assert_eq!(local.env_file, Some(Path::new(".env.local").to_path_buf()));
    assert_eq!(local.env["DATABASE_URL"], "postgres://localhost/app");
}

#[test]
fn flags_layer_over_local_key_by_key() {
    let file = load("local:\n  network: devnet\n  env: { A: '1', B: '2' }\n").unwrap();
    let flags = load("local:\n  env: { B: 'flag' }\n  env_file: /tmp/x.env\n").unwrap();
    let merged = file.merge(flags).local.unwrap();
    assert_eq!(merged.network.as_deref(), Some("devnet"));
    assert_eq!(merged.env_file.as_deref(), Some("/tmp/x.env"));
    let env = merged.env.unwrap();
    assert_eq!((env["A"].as_str(), env["B"].as_str()), ("1", "flag"));
}

#[test]
fn a_misspelt_local_key_is_named_at_its_line() {
    let error = load_error("cluster: a\nlocal:\n  netwrk: host\n");
    assert!(error.contains("ecs-migrate.yml:3"), "{error}");
    assert!(error.contains("netwrk"), "{error}");
    assert!(error.contains("network"), "{error}");
}
