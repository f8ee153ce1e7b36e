// Parsed infrastructure before it is linked and stored: labels, Terraform tags, selectors,
// generic attributes and container images through the telemetry's redactor, in place.
// Names, namespaces and kinds are keys (a re-import replaces by them, HPAs and Services find
// their targets by them) and are left as written. Env values are redacted like labels (the
// parsers keep only literal values under names that do not name a secret); annotations never
// get here.
import type { Redactor } from '../ingest/transforms/index.js';
import type { InfraResourceInput } from '../model/index.js';

/** What parseInfraFiles returns; all of it is stored or answered. */
export interface ParsedInfraText {
  resources: InfraResourceInput[];
  skipped: Array<{ ref: string; reason: string }>;
  warnings: string[];
}

/**
 * Redacts a parsed import in place, before linking: selectors and the labels they match go
 * through the same deterministic rules, so a link found on clean labels is found on redacted
 * ones. Warnings and skip reasons are redacted too: they quote values from the files.
 */
export function redactInfra(parsed: ParsedInfraText, redactor: Redactor): void {
  for (const r of parsed.resources) {
    redactor.attributes(r.labels);
    const spec = r.spec;
    if (spec.type === 'workload') {
      redactor.attributes(spec.selector);
      redactor.attributes(spec.podLabels);
      for (const c of spec.containers) {
        if (c.image !== null) c.image = redactor.text(c.image);
        if (c.env) redactor.attributes(c.env);
      }
    } else if (spec.type === 'service') redactor.attributes(spec.selector);
    else if (spec.type === 'generic') redactor.attributes(spec.attributes);
  }
  parsed.warnings.forEach((w, i) => {
    parsed.warnings[i] = redactor.text(w);
  });
  for (const s of parsed.skipped) s.reason = redactor.text(s.reason);
}
