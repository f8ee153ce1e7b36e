// Sentry projects as the API answers them: a name (the service its events go to unless they
// name their own), the numeric id Sentry SDKs want in a DSN, and its live keys.
import type { ApiToken } from './entities.js';

export interface SentryProject {
  id: number;
  name: string;
  createdAt: Date;
  /** Live keys of the project. */
  keys: number;
}

/** `POST /api/sentry/projects`: the project, its key (shown once; only its hash is stored) and the DSN. */
export interface SentryProjectCreated {
  project: SentryProject;
  key: string;
  record: ApiToken;
  /** `http://<key>@<host the request was sent to>/<project id>`. */
  dsn: string;
}
