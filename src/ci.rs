//! Where the tool runs (GitHub Actions, CodeBuild, a terminal) and what that tells us about the
//! commit and the CI run, for tags, stop reasons and links.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    GitHubActions,
    CodeBuild,
    Local,
}

#[derive(Debug, Clone)]
pub struct CiContext {
    pub runner: Runner,
    pub commit: Option<String>,
    /// A stable identifier of this CI run (the Actions run URL, the CodeBuild build id).
    pub run: Option<String>,
    /// Which attempt of the run this is (GitHub's "re-run jobs" makes a new one).
    pub attempt: Option<String>,
    /// The step of the run (Actions: the job id and the step's `GITHUB_ACTION`, which differs
    /// for every step of a job, even two uses of one action). CodeBuild names no step.
    pub step: Option<String>,
}

impl CiContext {
    pub fn detect(lookup: &dyn Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        if get("GITHUB_ACTIONS").as_deref() == Some("true") {
            let run = match (
                get("GITHUB_SERVER_URL"),
                get("GITHUB_REPOSITORY"),
                get("GITHUB_RUN_ID"),
            ) {
                (Some(server), Some(repo), Some(id)) => {
                    Some(format!("{server}/{repo}/actions/runs/{id}"))
                }
                _ => get("GITHUB_RUN_ID"),
            };
            let step = match (get("GITHUB_JOB"), get("GITHUB_ACTION")) {
                (job, Some(step)) => Some(format!("{}/{step}", job.unwrap_or_default())),
                (_, None) => None,
            };
            return Self {
                runner: Runner::GitHubActions,
                commit: get("GITHUB_SHA"),
                run,
                attempt: get("GITHUB_RUN_ATTEMPT"),
                step,
            };
        }
        if let Some(build_id) = get("CODEBUILD_BUILD_ID") {
            return Self {
                runner: Runner::CodeBuild,
                commit: get("CODEBUILD_RESOLVED_SOURCE_VERSION"),
                run: Some(build_id),
                attempt: None,
                step: None,
            };
        }
        Self {
            runner: Runner::Local,
            commit: get("GITHUB_SHA"),
            run: None,
            attempt: None,
            step: None,
        }
    }

    /// This process's CI context, read from the environment once and shared by every step
    /// (workflow commands, reports, tags), so they can never disagree about where they run.
    pub fn current() -> &'static Self {
        static CURRENT: std::sync::OnceLock<CiContext> = std::sync::OnceLock::new();
        CURRENT.get_or_init(|| Self::detect(&|name| std::env::var(name).ok()))
    }

    /// Plain one-line progress instead of a spinner: any CI, or stderr not a terminal.
    pub fn is_ci(&self) -> bool {
        self.runner != Runner::Local || std::env::var_os("CI").is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(vars: &[(&str, &str)]) -> CiContext {
        CiContext::detect(&|name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn each_runner_names_its_own_commit() {
        let actions = context(&[("GITHUB_ACTIONS", "true"), ("GITHUB_SHA", "abc")]);
        assert_eq!(
            (actions.runner, actions.commit.as_deref()),
            (Runner::GitHubActions, Some("abc"))
        );
        let codebuild = context(&[
            ("CODEBUILD_BUILD_ID", "p:1"),
            ("CODEBUILD_RESOLVED_SOURCE_VERSION", "def"),
            ("GITHUB_SHA", "abc"),
        ]);
        assert_eq!(
            (codebuild.runner, codebuild.commit.as_deref()),
            (Runner::CodeBuild, Some("def"))
        );
        let local = context(&[
            ("GITHUB_SHA", "abc"),
            ("CODEBUILD_RESOLVED_SOURCE_VERSION", "def"),
        ]);
        assert_eq!(
            (local.runner, local.commit.as_deref()),
            (Runner::Local, Some("abc"))
        );
    }

    #[test]
    fn an_actions_step_is_its_job_and_its_github_action() {
        let step = context(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_JOB", "migrate"),
            ("GITHUB_ACTION", "__run_2"),
        ]);
        assert_eq!(step.step.as_deref(), Some("migrate/__run_2"));
        let unnamed = context(&[("GITHUB_ACTIONS", "true")]);
        assert_eq!(unnamed.step, None);
        let codebuild = context(&[("CODEBUILD_BUILD_ID", "p:1"), ("GITHUB_ACTION", "__run")]);
        assert_eq!(codebuild.step, None);
    }
}
