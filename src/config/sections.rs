//! Resolution of the nested sections (image and build, network, capacity providers), whose
//! keys constrain each other.

use super::resolve::{Resolver, non_empty, without_dot_parts};
use super::{
    BuildSettings, CapacityProvider, ConfigError, ImageSettings, NetworkSettings, RawBuild,
    RawCapacityProvider, RawImage, RawNetwork,
};

impl Resolver<'_> {
    pub(super) fn image(&self, raw: RawImage) -> Result<ImageSettings, ConfigError> {
        let uri = non_empty(raw.uri);
        let repository = non_empty(raw.repository);
        match (&uri, &repository, &raw.build) {
            (Some(_), Some(_), _) => Err(self.error(
                "image",
                "`uri` and `repository` are both set (use `uri` to run a prebuilt image, or \
                 `repository` to build and push one, not both)",
            )),
            (Some(_), None, Some(_)) => Err(self.error(
                "image.build",
                "cannot be used with `image.uri`, a prebuilt image (remove one of them)",
            )),
            (None, None, Some(_)) => Err(self.error(
                "image.build",
                "needs `image.repository`, the ECR repository to push the image to (add \
                 `repository: <name>` under `image`)",
            )),
            _ => Ok(ImageSettings {
                build: repository
                    .is_some()
                    .then(|| self.build(raw.build.unwrap_or_default())),
                uri,
                repository,
                tag: non_empty(raw.tag),
                create_repository: raw.create_repository.unwrap_or(false),
            }),
        }
    }

    fn build(&self, raw: RawBuild) -> BuildSettings {
        let context =
            self.relative_to_file(&non_empty(raw.context).unwrap_or_else(|| ".".to_owned()));
        BuildSettings {
            dockerfile: non_empty(raw.dockerfile)
                .map(|file| without_dot_parts(&context.join(file))),
            context,
            target: non_empty(raw.target),
            args: raw.args.unwrap_or_default(),
            platform: non_empty(raw.platform),
            labels: raw.labels.unwrap_or_default(),
            cache_from: raw.cache_from.unwrap_or_default(),
            cache_to: raw.cache_to.unwrap_or_default(),
        }
    }

    /// A section that lists no subnets (like the documented `subnets: []` placeholder) means
    /// "the service's network", unless it also sets something that would then be lost.
    pub(super) fn network(
        &self,
        raw: Option<RawNetwork>,
    ) -> Result<Option<NetworkSettings>, ConfigError> {
        let Some(raw) = raw else { return Ok(None) };
        let clean = |ids: Option<Vec<String>>| -> Vec<String> {
            ids.unwrap_or_default()
                .into_iter()
                .filter(|id| !id.trim().is_empty())
                .collect()
        };
        let subnets = clean(raw.subnets);
        let security_groups = clean(raw.security_groups);
        let assign_public_ip = raw.assign_public_ip.unwrap_or(false);
        if !subnets.is_empty() {
            return Ok(Some(NetworkSettings {
                subnets,
                security_groups,
                assign_public_ip,
            }));
        }
        if security_groups.is_empty() && !assign_public_ip {
            return Ok(None);
        }
        Err(self.error(
            "network.subnets",
            "needed when `security_groups` or `assign_public_ip` is set (list the subnets, or \
             remove the `network` section to use the service's network)",
        ))
    }

    pub(super) fn capacity_providers(
        &self,
        raw: Vec<RawCapacityProvider>,
    ) -> Result<Vec<CapacityProvider>, ConfigError> {
        let mut strategy = Vec::with_capacity(raw.len());
        for (index, item) in raw.into_iter().enumerate() {
            let key = |field: &str| format!("capacity_provider_strategy[{index}].{field}");
            if item.capacity_provider.trim().is_empty() {
                return Err(self.error(
                    &key("capacity_provider"),
                    "is empty (name a capacity provider, e.g. FARGATE_SPOT)",
                ));
            }
            let limits = [("weight", item.weight, 1000), ("base", item.base, 100_000)];
            for (field, value, max) in limits {
                if value.is_some_and(|value| !(0..=max).contains(&value)) {
                    return Err(self.error(&key(field), format!("must be between 0 and {max}")));
                }
            }
            strategy.push(CapacityProvider {
                capacity_provider: item.capacity_provider,
                weight: item.weight,
                base: item.base,
            });
        }
        Ok(strategy)
    }
}
