// Code from git: which paths of a repository belong to which service, CODEOWNERS rules,
// and what the indexer extracts per file beyond symbols (log call sites, route handlers).
export default `
CREATE TABLE service_path (
  repository_id bigint NOT NULL REFERENCES repository ON DELETE CASCADE,
  path_prefix text NOT NULL,           -- '' is the whole repository; otherwise 'services/cart/'
  service text NOT NULL,
  source text NOT NULL,                -- 'given' (--service) or how it was inferred, e.g. 'package.json'
  PRIMARY KEY (repository_id, path_prefix)
);
CREATE INDEX service_path_service ON service_path (service);

CREATE TABLE codeowner_rule (
  repository_id bigint NOT NULL REFERENCES repository ON DELETE CASCADE,
  line integer NOT NULL,               -- line in the CODEOWNERS file; later lines win
  pattern text NOT NULL,
  owners text[] NOT NULL,
  PRIMARY KEY (repository_id, line)
);

CREATE TABLE log_callsite (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES file ON DELETE CASCADE,
  symbol_id bigint REFERENCES symbol ON DELETE SET NULL,
  line integer NOT NULL,
  logger text NOT NULL,                -- e.g. 'console', 'pino', 'logging', 'slog', 'slf4j'
  level text,                          -- 'info', 'warn', … when the call names it
  template text NOT NULL,              -- the format string or template literal, parameters as <*>
  raw text NOT NULL                    -- the argument as written in the source
);
CREATE INDEX log_callsite_file ON log_callsite (file_id);

CREATE TABLE route_handler (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES file ON DELETE CASCADE,
  symbol_id bigint REFERENCES symbol ON DELETE SET NULL,
  line integer NOT NULL,
  framework text NOT NULL,             -- 'express', 'fastify', 'koa', 'flask', 'fastapi', 'django', 'net/http', 'mux', 'spring', …
  method text,                         -- 'GET', … or null when any method
  path text NOT NULL,                  -- as declared, e.g. '/cart/:id' or '/cart/{id}'
  handler text                         -- the handler's name when it is a named function
);
CREATE INDEX route_handler_file ON route_handler (file_id);
CREATE INDEX route_handler_path ON route_handler (path);

-- Why a listed file was not parsed ('vendored', 'generated', 'too-large', 'binary',
-- 'parse-error'); null when it was parsed or its language is not one Orrery parses.
ALTER TABLE file ADD COLUMN skipped text;
-- The extraction version that produced a file's symbols, call sites and routes: a sync
-- re-parses files whose version differs, so a better extractor reaches old files too.
ALTER TABLE file ADD COLUMN extractor text;
CREATE INDEX file_service ON file (service_id);

-- A re-parsed file deletes the symbols that are gone; each delete sets the references to it
-- to null, which without these indexes is a scan of the referencing table per symbol.
CREATE INDEX log_callsite_symbol ON log_callsite (symbol_id);
CREATE INDEX route_handler_symbol ON route_handler (symbol_id);
CREATE INDEX endpoint_handler_symbol ON endpoint (handler_symbol_id);
CREATE INDEX log_pattern_callsite_symbol ON log_pattern (callsite_symbol_id);
`;
