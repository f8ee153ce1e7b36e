// gRPC services as endpoints: .proto parsing, the implementations found per language with the
// real tree-sitter grammars, linking each rpc to its handler (by registration, not by name),
// and a span's rpc.service/rpc.method reaching the handler through a real sync.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type CodeLanguage,
  type LinkFile,
  ProtoSyntaxError,
  linkRpcs,
  parseProto,
  rpcOfSpan,
  unparsedLanguageOf,
} from '../src/analysis/index.js';
import { type CodeParsers, loadCodeParsers } from '../src/ingest/sources/git/grammars.js';

const PROTO = `syntax = "proto3";
// a comment with service Fake { rpc No(A) returns (B); }
package shop.v1;
service CartService {
  rpc AddItem(AddItemRequest) returns (Empty) {}
  rpc GetCart(GetCartRequest) returns (Cart) {}
}
/* block
   comment */
service PaymentService {
  rpc Charge(ChargeRequest) returns (ChargeResponse);
  rpc Watch(stream Req) returns (stream Resp);
}
message Empty {}
`;

describe('proto parsing', () => {
  it('reads the package, services and rpcs with lines and streaming', () => {
    const p = parseProto(PROTO);
    assert.equal(p.package, 'shop.v1');
    assert.deepEqual(
      p.rpcs.map(
        (r) => `${r.service}/${r.method}@${r.line}${r.clientStreaming ? ' cs' : ''}${r.serverStreaming ? ' ss' : ''}`,
      ),
      [
        'shop.v1.CartService/AddItem@5',
        'shop.v1.CartService/GetCart@6',
        'shop.v1.PaymentService/Charge@11',
        'shop.v1.PaymentService/Watch@12 cs ss',
      ],
    );
  });

  it('rejects a malformed rpc or an unclosed service with a clear error', () => {
    assert.throws(() => parseProto('service S { rpc Get(A) returns B; }'), ProtoSyntaxError);
    assert.throws(() => parseProto('service S { rpc Get(A) returns (B);'), /not closed/);
    assert.deepEqual(parseProto('').rpcs, []);
  });
});

// One server per language, each for shop.v1.CartService (or PaymentService).
const SERVERS: Array<{ language: CodeLanguage; path: string; source: string; rpc: string; handler: string }> = [
  {
    language: 'go',
    path: 'cart/main.go',
    source: `package main
type cartServer struct {
	pb.UnimplementedCartServiceServer
}
func (s *cartServer) GetCart(ctx context.Context, r *pb.GetCartRequest) (*pb.Cart, error) { return nil, nil }
`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'cartServer.GetCart',
  },
  {
    language: 'go',
    path: 'cart2/main.go',
    source: `package main
type impl struct{}
func (i *impl) AddItem(ctx context.Context, r *pb.AddItemRequest) (*pb.Empty, error) { return nil, nil }
func main() {
	svc := &impl{}
	pb.RegisterCartServiceServer(srv, svc)
}
`,
    rpc: 'shop.v1.CartService/AddItem',
    handler: 'impl.AddItem',
  },
  {
    language: 'csharp',
    path: 'cart/CartService.cs',
    source: `public class Cart : Shop.V1.CartService.CartServiceBase {
  public override Task<Cart> GetCart(GetCartRequest r, ServerCallContext c) { return null; }
}`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'Cart.GetCart',
  },
  {
    language: 'java',
    path: 'cart/Cart.java',
    source: `class Cart {
  private static class CartImpl extends shop.CartServiceGrpc.CartServiceImplBase {
    @Override public void getCart(GetCartRequest r, StreamObserver<Cart> o) {}
  }
}`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'CartImpl.getCart',
  },
  {
    language: 'python',
    path: 'cart/server.py',
    source: `class Cart(demo_pb2_grpc.CartServiceServicer):
    def GetCart(self, request, context):
        return None
`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'Cart.GetCart',
  },
  {
    // The registration names the handler: its function is not called like the rpc.
    language: 'javascript',
    path: 'payment/index.js',
    source: `async function takeMoney(call, callback) { callback(null, {}) }
function Charge() {}
const impl = { charge: takeMoney }
server.addService(pkg.shop.v1.PaymentService.service, impl)
`,
    rpc: 'shop.v1.PaymentService/Charge',
    handler: 'takeMoney',
  },
  {
    language: 'cpp',
    path: 'cart/server.cpp',
    source: `class CartImpl final : public shop::v1::CartService::Service {
  Status GetCart(ServerContext* c, const GetCartRequest* r, Cart* out) override { return Status::OK; }
};`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'CartImpl.GetCart',
  },
  {
    language: 'rust',
    path: 'cart/src/main.rs',
    source: `#[tonic::async_trait]
impl CartService for MyCart {
    async fn get_cart(&self, r: Request<GetCartRequest>) -> Result<Response<Cart>, Status> { todo!() }
}`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'MyCart.get_cart',
  },
  {
    language: 'ruby',
    path: 'cart/server.rb',
    source: `class CartServer < Shop::V1::CartService::Service
  def get_cart(req, _call)
  end
end`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'CartServer.get_cart',
  },
  {
    language: 'php',
    path: 'cart/CartService.php',
    source: `<?php
class Cart implements CartServiceInterface {
    public function GetCart(ContextInterface $ctx, GetCartRequest $in): Cart { return $in; }
}`,
    rpc: 'shop.v1.CartService/GetCart',
    handler: 'Cart.GetCart',
  },
];

let parsers: CodeParsers;
before(async () => {
  parsers = await loadCodeParsers();
});

function linkOne(server: (typeof SERVERS)[number]): string | null {
  const rpcs = parseProto(PROTO).rpcs.map((r, i) => ({ id: i + 1, service: r.service, method: r.method }));
  const x = parsers.parse(server.language, server.source);
  let id = 1;
  const file: LinkFile = {
    id: 1,
    path: server.path,
    language: server.language,
    symbols: x.symbols.map((s) => ({ ...s, id: id++ })),
    impls: x.grpc,
  };
  const links = linkRpcs(rpcs, [file]);
  const target = rpcs.find((r) => `${r.service}/${r.method}` === server.rpc)!;
  // Nothing else in the file is linked to another rpc.
  for (const l of links) if (l.rpcId !== target.id) return `wrong: rpc ${l.rpcId} → ${l.symbol}`;
  return links.find((l) => l.rpcId === target.id)?.symbol ?? null;
}

describe('rpc handlers per language (real grammars)', () => {
  for (const server of SERVERS) {
    it(`${server.language}: ${server.path} serves ${server.rpc}`, () => {
      assert.equal(linkOne(server), server.handler);
    });
  }

  it('does not link a type whose base is not a generated service of the proto', () => {
    const x = parsers.parse('csharp', 'class C : ControllerBase { public void GetCart() {} }');
    const rpcs = parseProto(PROTO).rpcs.map((r, i) => ({ id: i, service: r.service, method: r.method }));
    const symbols = x.symbols.map((s, i) => ({ ...s, id: i }));
    assert.deepEqual(linkRpcs(rpcs, [{ id: 1, path: 'c.cs', language: 'csharp', symbols, impls: x.grpc }]), []);
  });

  it('follows the registration: a function named like the rpc but not registered is not the handler', () => {
    const js = SERVERS.find((s) => s.language === 'javascript')!;
    assert.equal(linkOne(js), 'takeMoney');
  });
});

describe('rpc of a span', () => {
  it('reads rpc.service and rpc.method, else a gRPC span name', () => {
    assert.deepEqual(rpcOfSpan({ rpcService: 'shop.v1.CartService', rpcMethod: 'GetCart', name: 'x' }), {
      service: 'shop.v1.CartService',
      method: 'GetCart',
    });
    assert.deepEqual(rpcOfSpan({ name: 'shop.v1.CartService/GetCart' }), {
      service: 'shop.v1.CartService',
      method: 'GetCart',
    });
    assert.equal(rpcOfSpan({ name: 'GET /cart' }), null);
  });

  it('names Kotlin and Elixir as known but not parsed', () => {
    assert.equal(unparsedLanguageOf('src/fraud/Main.kt'), 'kotlin');
    assert.equal(unparsedLanguageOf('lib/ui.ex'), 'elixir');
    assert.equal(unparsedLanguageOf('main.go'), null);
  });
});
