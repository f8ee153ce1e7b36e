// The hand-written protobuf reader against bytes made by protobufjs' Writer and by hand:
// varints, fixed-width values, strings, ids, unknown-field skipping and malformed input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs/minimal.js';
import { decodeTracesProtobuf } from '../src/ingest/sources/otlp/decode-protobuf.js';
import { Reader, readAnyValue, readKeyValue } from '../src/ingest/sources/otlp/proto-reader.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const writer = () => protobuf.Writer.create();
const reader = (b: Uint8Array) => new Reader(b);

/** A whole-body read that must consume every byte. */
function readAll<T>(b: Uint8Array, read: (r: Reader) => T): T {
  const r = reader(b);
  const v = read(r);
  assert.equal(r.pos, b.length, 'the reader stopped before the end');
  return v;
}

describe('proto reader: varints', () => {
  it('reads one- to five-byte unsigned varints', () => {
    for (const v of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 31, 2 ** 32 - 1]) {
      assert.equal(
        readAll(writer().uint32(v).finish(), (r) => r.uint32()),
        v,
      );
    }
  });

  it('reads int64 including 10-byte negatives, as doubles', () => {
    for (const v of [
      0,
      1,
      -1,
      42,
      -42,
      2 ** 31,
      -(2 ** 31),
      2 ** 40 + 7,
      -(2 ** 40) - 7,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
    ]) {
      const b = writer().int64(v).finish();
      if (v < 0) assert.equal(b.length, 10);
      assert.equal(
        readAll(b, (r) => r.int64()),
        v,
      );
    }
    // -1 and int64 min spelled out byte by byte.
    assert.equal(
      readAll(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), (r) => r.int64()),
      -1,
    );
    assert.equal(
      readAll(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), (r) => r.int64()),
      -(2 ** 63),
    );
  });

  it('reads uint64 above 2^32 and int32 of a sign-extended negative', () => {
    assert.equal(
      readAll(
        writer()
          .uint64(2 ** 52 + 3)
          .finish(),
        (r) => r.uint64(),
      ),
      2 ** 52 + 3,
    );
    assert.equal(
      readAll(writer().int32(-5).finish(), (r) => r.int32()),
      -5,
    );
    assert.equal(
      readAll(writer().sint32(-77).finish(), (r) => r.sint32()),
      -77,
    );
  });

  it('reads bools from any varint', () => {
    assert.equal(
      readAll(bytes(0x00), (r) => r.bool()),
      false,
    );
    assert.equal(
      readAll(bytes(0x01), (r) => r.bool()),
      true,
    );
    assert.equal(
      readAll(bytes(0x80, 0x80, 0x01), (r) => r.bool()),
      true,
    );
  });

  it('throws on truncated and over-long varints', () => {
    assert.throws(() => reader(bytes(0x80)).uint32(), RangeError);
    assert.throws(() => reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff)).int64(), RangeError);
    assert.throws(
      () => reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).int64(),
      /longer than 10 bytes/,
    );
    assert.throws(() => reader(bytes()).uint32(), RangeError);
  });
});

describe('proto reader: fixed-width values', () => {
  it('reads fixed32, fixed64, sfixed64 and double', () => {
    assert.equal(
      readAll(writer().fixed32(0xdeadbeef).finish(), (r) => r.fixed32()),
      0xdeadbeef,
    );
    const ns = 1_795_000_000_123_456_000; // a multiple of 256, so exact as a double
    assert.equal(
      readAll(writer().fixed64(ns).finish(), (r) => r.fixed64()),
      ns,
    );
    assert.equal(
      readAll(writer().sfixed64(-123_456_789_012).finish(), (r) => r.sfixed64()),
      -123_456_789_012,
    );
    for (const d of [0, -0.5, Math.PI, 1e300, Number.POSITIVE_INFINITY]) {
      assert.equal(
        readAll(writer().double(d).finish(), (r) => r.double()),
        d,
      );
    }
    assert.ok(Number.isNaN(readAll(writer().double(Number.NaN).finish(), (r) => r.double())));
  });

  it('throws when fixed-width values run past the end', () => {
    assert.throws(() => reader(bytes(1, 2, 3)).fixed32(), RangeError);
    assert.throws(() => reader(bytes(1, 2, 3, 4, 5, 6, 7)).fixed64(), RangeError);
    assert.throws(() => reader(bytes(1, 2, 3, 4, 5, 6, 7)).double(), RangeError);
  });
});

describe('proto reader: strings and ids', () => {
  it('decodes multi-byte UTF-8 exactly', () => {
    for (const s of [
      '',
      'plain ascii',
      'ünïcødé',
      '✓ check',
      '😀 emoji',
      '日本語のテキスト',
      'mixed ascii and é at the end é',
    ]) {
      assert.equal(
        readAll(writer().string(s).finish(), (r) => r.string()),
        s,
      );
      assert.equal(
        readAll(writer().string(s).finish(), (r) => r.internedString()),
        s,
      );
    }
  });

  it('replaces invalid UTF-8 the way Buffer does', () => {
    const cases = [
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf0, 0x9f, 0x98],
      [0x61, 0x80, 0x62],
      [0xc0, 0xaf],
    ];
    for (const c of cases) {
      const b = bytes(c.length, ...c);
      const expected = Buffer.from(c).toString('utf8');
      assert.equal(
        readAll(b, (r) => r.string()),
        expected,
      );
      assert.equal(
        readAll(b, (r) => r.internedString()),
        expected,
      );
    }
  });

  it('interns repeated keys without mixing up different ones', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k.${i}`);
    for (let round = 0; round < 2; round++) {
      for (const k of keys)
        assert.equal(
          readAll(writer().string(k).finish(), (r) => r.internedString()),
          k,
        );
    }
    const a = readAll(writer().string('http.route').finish(), (r) => r.internedString());
    const b = readAll(writer().string('http.route').finish(), (r) => r.internedString());
    assert.equal(a, b);
  });

  it('throws when a length runs past the end', () => {
    assert.throws(() => reader(bytes(5, 0x61, 0x62)).string(), /past the end/);
    assert.throws(() => reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).end(), /32 bits/);
  });

  it('reads ids as lowercase hex, and empty or all-zero ids as null', () => {
    assert.equal(
      readAll(bytes(4, 0xde, 0xad, 0xbe, 0xef), (r) => r.hexId()),
      'deadbeef',
    );
    assert.equal(
      readAll(bytes(8, 0, 0, 0, 0, 0, 0, 0, 0), (r) => r.hexId()),
      null,
    );
    assert.equal(
      readAll(bytes(0), (r) => r.hexId()),
      null,
    );
  });

  it('accepts a plain Uint8Array view with an offset', () => {
    const backing = new Uint8Array([
      9,
      9,
      9,
      ...writer()
        .string('héllo')
        .fixed64(2 ** 40)
        .finish(),
    ]);
    const r = new Reader(backing.subarray(3));
    assert.equal(r.string(), 'héllo');
    assert.equal(r.fixed64(), 2 ** 40);
  });
});

describe('proto reader: skipping and malformed input', () => {
  it('skips unknown fields of every valid wire type, groups included', () => {
    const w = writer();
    w.uint32((20 << 3) | 0).int64(-1);
    w.uint32((21 << 3) | 1).fixed64(7);
    w.uint32((22 << 3) | 2).string('skip me');
    w.uint32((23 << 3) | 3); // START_GROUP 23 with a nested group 24 inside
    w.uint32((1 << 3) | 0).uint32(5);
    w.uint32((24 << 3) | 3)
      .uint32((2 << 3) | 5)
      .fixed32(1)
      .uint32((24 << 3) | 4);
    w.uint32((23 << 3) | 4);
    w.uint32((25 << 3) | 5).fixed32(9);
    const r = reader(w.finish());
    while (r.pos < r.len) r.skip(r.tag());
    assert.equal(r.pos, r.len);
  });

  it('throws on wire types 4, 6 and 7, on field number 0 and on a mismatched END_GROUP', () => {
    assert.throws(() => reader(bytes((1 << 3) | 7, 0)).skip((1 << 3) | 7), /wire type 7/);
    assert.throws(() => reader(bytes((1 << 3) | 6, 0)).skip((1 << 3) | 6), /wire type 6/);
    assert.throws(() => reader(bytes()).skip((1 << 3) | 4), /wire type 4/);
    assert.throws(() => reader(bytes(0x00)).tag(), /field number 0/);
    assert.throws(() => reader(bytes((2 << 3) | 4)).skip((1 << 3) | 3), /END_GROUP/);
    assert.throws(() => reader(bytes()).skip((1 << 3) | 3), RangeError);
  });

  it('throws on a nested message whose length runs past its parent', () => {
    // KeyValue (7 bytes) { key: "k", value: AnyValue of length 5 } — the value ends at 10.
    const kv = bytes(0x0a, 1, 0x6b, 0x12, 5, 0x0a, 3, 0x61, 0x62, 0x63);
    assert.throws(() => readKeyValue(reader(kv), 7, {}), /past its message's end/);
  });

  it('decodes AnyValue kinds and rejects nesting deeper than 32', () => {
    const any = (fill: (w: protobuf.Writer) => void) => {
      const w = writer();
      fill(w);
      const b = w.finish();
      return readAnyValue(reader(b), b.length);
    };
    assert.equal(
      any((w) => w.uint32((3 << 3) | 0).int64(-9)),
      -9,
    );
    assert.equal(
      any((w) => w.uint32((2 << 3) | 0).bool(true)),
      true,
    );
    assert.equal(
      any((w) => w.uint32((7 << 3) | 2).bytes(Uint8Array.from([1, 2, 3]))),
      'AQID',
    );
    assert.deepEqual(
      any((w) => {
        w.uint32((5 << 3) | 2).fork(); // ArrayValue
        w.uint32((1 << 3) | 2)
          .fork()
          .uint32((1 << 3) | 2)
          .string('a')
          .ldelim();
        w.uint32((1 << 3) | 2)
          .fork()
          .uint32((4 << 3) | 1)
          .double(1.5)
          .ldelim();
        w.ldelim();
      }),
      ['a', 1.5],
    );
    const nested = (depth: number) => {
      let b: Uint8Array = writer()
        .uint32((1 << 3) | 2)
        .string('leaf')
        .finish();
      for (let i = 0; i < depth; i++) {
        const w = writer()
          .uint32((5 << 3) | 2)
          .fork();
        w.uint32((1 << 3) | 2).bytes(b);
        b = w.ldelim().finish();
      }
      return b;
    };
    const ok = nested(32);
    assert.ok(readAnyValue(reader(ok), ok.length));
    const deep = nested(33);
    assert.throws(() => readAnyValue(reader(deep), deep.length), /deeper than 32/);
  });

  it('decodes a span whose resource follows its scopes, skipping unknown fields', () => {
    const span = writer();
    span.uint32((1 << 3) | 2).bytes(Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    span.uint32((2 << 3) | 2).bytes(Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i));
    span
      .uint32((99 << 3) | 3)
      .uint32((1 << 3) | 0)
      .uint32(1)
      .uint32((99 << 3) | 4); // unknown group
    span.uint32((5 << 3) | 2).string('GET /');
    // Times above 2^53 round as doubles; the duration comes from the exact halves.
    span
      .uint32((7 << 3) | 1)
      .fixed32(5)
      .fixed32(395_812_000);
    span
      .uint32((8 << 3) | 1)
      .fixed32(1005)
      .fixed32(395_812_000);
    span
      .uint32((9 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('http.route')
      .uint32((2 << 3) | 2)
      .fork();
    span
      .uint32((1 << 3) | 2)
      .string('/')
      .ldelim()
      .ldelim();
    const w = writer();
    w.uint32((1 << 3) | 2).fork(); // ResourceSpans
    w.uint32((2 << 3) | 2)
      .fork()
      .uint32((2 << 3) | 2)
      .bytes(span.finish())
      .ldelim(); // ScopeSpans
    w.uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .fork(); // Resource { attributes }
    w.uint32((1 << 3) | 2)
      .string('service.name')
      .uint32((2 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('svc')
      .ldelim();
    w.ldelim().ldelim();
    w.ldelim();
    const { records } = decodeTracesProtobuf(w.finish());
    assert.equal(records.length, 1);
    const s = records[0]!;
    assert.equal(s.service, 'svc');
    assert.equal(s.traceId, '0102030405060708090a0b0c0d0e0f10');
    assert.equal(s.spanId, 'a0a1a2a3a4a5a6a7');
    assert.equal(s.httpRoute, '/');
    assert.equal(s.durationNano, 1000);
    assert.deepEqual(s.events, []);
  });
});
