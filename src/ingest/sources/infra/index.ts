// The infrastructure source: Kubernetes manifests and `terraform show -json` output read
// into normalised resources, and the rules that tie each resource to its service.
export { parseInfraFiles, InfraParseError } from './parse-files.js';
export type { InfraFile, ParsedInfra } from './parse-files.js';
export { linkServices, SERVICE_LABELS } from './link-services.js';
export type { LinkContext, Linked, StoredWorkload } from './link-services.js';
export { cpuMillicores, memoryBytes, parseQuantity } from './quantity.js';
