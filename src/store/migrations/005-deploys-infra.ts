// Deploys' commit ranges and infrastructure resources. A deploy's range is
// (previous_commit_sha, commit_sha]: the previous pointer is kept up to date as deploys
// are inserted between others. Infrastructure resources are replaced per import source.
export default `
CREATE INDEX deploy_service_env_time ON deploy (service, environment, deployed_at);
CREATE INDEX deploy_time_all ON deploy (deployed_at);
CREATE INDEX commit_sha_prefix ON commit (sha text_pattern_ops);  -- resolving abbreviated SHAs in any repository

CREATE TABLE infra_resource (
  id bigserial PRIMARY KEY,
  source text NOT NULL,                -- the import it came from (a path or a name); re-importing replaces its rows
  kind text NOT NULL,                  -- 'Deployment', 'StatefulSet', 'DaemonSet', 'HorizontalPodAutoscaler', 'Service', or a Terraform type
  namespace text NOT NULL DEFAULT '',
  name text NOT NULL,                  -- the Kubernetes name, or the Terraform address for other Terraform resources
  service text,                        -- the service it runs or serves, when one could be linked
  link jsonb,                          -- how it was linked: {by, detail, known}
  labels jsonb NOT NULL DEFAULT '{}',
  spec jsonb NOT NULL,                 -- normalised: replicas, containers (millicores, bytes), HPA bounds and targets, ports
  raw_ref text NOT NULL,               -- 'path:line' of the manifest, or 'path#address' in Terraform output
  imported_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, kind, namespace, name)
);
CREATE INDEX infra_resource_service ON infra_resource (service);
`;
