// Where a Sentry SDK puts its key: the `X-Sentry-Auth` header (`Sentry sentry_key=…, …`), the
// `sentry_key` query parameter (browser SDKs, which avoid a preflight for custom headers), or
// the DSN in an envelope's header. Pure string handling.

/** The `sentry_key` of an `X-Sentry-Auth` (or `Authorization: Sentry …`) header, or null. */
export function keyFromAuthHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^\s*Sentry\s+(.*)$/i.exec(header);
  if (!m) return null;
  for (const part of m[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim().toLowerCase() === 'sentry_key') {
      const v = part.slice(eq + 1).trim();
      return v === '' ? null : v;
    }
  }
  return null;
}

/** The public key and the project of a DSN (`http://<key>@<host>/<project>`), or null when it is not one. */
export function parseDsn(dsn: string): { key: string; project: string } | null {
  let u: URL;
  try {
    u = new URL(dsn);
  } catch {
    return null;
  }
  if (u.username === '') return null;
  const project = u.pathname.split('/').filter(Boolean).pop();
  if (!project) return null;
  return { key: decodeURIComponent(u.username), project: decodeURIComponent(project) };
}
