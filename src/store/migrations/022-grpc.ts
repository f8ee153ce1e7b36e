// gRPC services as endpoints: the rpcs the .proto files declare, the code that serves a
// service per file (as the index found it), and each rpc's linked handler.
export default `
CREATE TABLE grpc_impl (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES file ON DELETE CASCADE,
  line integer NOT NULL,
  kind text NOT NULL,                  -- 'type' (methods of type_name serve it) or 'handler' (one registered function)
  service text NOT NULL,               -- the service's short name as the code spells it
  qualifier text,                      -- what came before it (package, namespace, alias)
  type_name text,
  method text,                         -- kind 'handler': the rpc as the registration names it
  handler text                         -- kind 'handler': the function registered
);
CREATE INDEX grpc_impl_file ON grpc_impl (file_id);

CREATE TABLE proto_rpc (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES file ON DELETE CASCADE,
  service text NOT NULL,               -- 'package.Service', as spans carry it in rpc.service
  method text NOT NULL,
  line integer NOT NULL,
  client_streaming boolean NOT NULL DEFAULT false,
  server_streaming boolean NOT NULL DEFAULT false,
  handler_file_id bigint REFERENCES file ON DELETE SET NULL,
  handler_symbol_id bigint REFERENCES symbol ON DELETE SET NULL,
  handler_line integer,
  handler_symbol text,
  linked_by text                       -- 'type' or 'registration'; null when no handler was found
);
CREATE INDEX proto_rpc_file ON proto_rpc (file_id);
CREATE INDEX proto_rpc_name ON proto_rpc (service, method);
CREATE INDEX proto_rpc_handler_file ON proto_rpc (handler_file_id);
CREATE INDEX proto_rpc_handler_symbol ON proto_rpc (handler_symbol_id);
`;
