//! `completions` and `man`, through the real binary: bash sources the script and completes a
//! subcommand; every shell's script and the man page name the commands and flags.

use crate::support::binary::{Run, offline};

fn generated(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let run = offline(dir.path(), args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

#[test]
fn bash_completes_subcommands_from_the_generated_script() {
    let script = generated(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecs-migrate.bash");
    std::fs::write(&path, &script).unwrap();
    let completed = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(ecs-migrate pl); COMP_CWORD=1; \
             _ecs__migrate ecs-migrate pl ecs-migrate; echo \"${{COMPREPLY[@]}}\"",
            path.display()
        ))
        .output()
        .expect("bash");
    assert_eq!(String::from_utf8_lossy(&completed.stdout).trim(), "plan");
    assert!(script.contains("--log-drain"), "{script}");
}

#[test]
fn every_shell_gets_a_script_and_man_a_page() {
    for (shell, marker) in [
        ("zsh", "#compdef ecs-migrate"),
        ("fish", "complete -c ecs-migrate"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = generated(&["completions", shell]).stdout;
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("environment"), "{shell}");
    }
    let page = generated(&["man"]).stdout;
    assert!(page.contains(".TH ecs-migrate 1"), "{page}");
    assert!(page.contains("completions"), "{page}");
    let refused = offline(
        tempfile::tempdir().unwrap().path(),
        &["completions", "tcsh"],
    );
    assert_eq!(refused.code, 2, "{}", refused.transcript());
}
