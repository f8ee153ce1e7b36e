// Hostile values the fuzz targets draw from (fast-check arbitraries): text PostgreSQL cannot
// store (NUL, lone surrogates), prototype-pollution keys, overlong keys, numbers and times at
// and past every limit, and the wrong kinds of value. Shared by the generators of every target.
import fc from 'fast-check';

/** Keys that pollute an object's prototype when a parser copies them naively. */
export const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Strings no storage or parser should be surprised by, each a known way to break one. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\ufeff',
  '\ufffd',
  '\u202e',
  '%00',
  '%',
  '%zz',
  '\\',
  '"',
  "'; DROP TABLE span; --",
  '$1',
  '$\u007bx}',
  '{{x}}',
  '../../../../etc/passwd',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '-1',
  '0',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999999',
  '0x10',
  '1_000',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '0000-01-01',
  '1969-12-31T23:59:59Z',
  '275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '9999999999d',
  '1h',
  '-1h',
  '0s',
  '1e3m',
  'now',
  'now-1h',
  '\r\n',
  '\n\n\n',
  'é',
  '😀',
  '\ud83d',
  ...POLLUTING_KEYS,
];

/** Numbers at and past the limits of every integer and time representation. */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 63,
  2 ** 64,
  -(2 ** 63),
  1e20,
  -1e15,
  8.64e15 + 1,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => `${s}\u0000${s}`) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 5000 }).map((n) => 'k'.repeat(n)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
);

/** Any JSON-ish value of a hostile kind (what replaces a field's value in a mutated document). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  // Made fresh each time: a shared constant would be mutated by one case and seen by the next.
  { weight: 1, arbitrary: fc.nat({ max: 4 }).map((i) => [[], {}, [[]], [{}], { '': '' }][i]) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2000 }).map(deepArray) },
  { weight: 1, arbitrary: fc.constantFrom(...POLLUTING_KEYS).map((k) => JSON.parse(`{"${k}":{"polluted":true}}`)) },
);

/** `[[[…]]]` nested n deep: a parser that recurses without a bound runs out of stack on it. */
export function deepArray(n: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** `{"a":{"a":…}}` nested n deep, as JSON text (JSON.stringify would itself recurse). */
export function deepObjectJson(n: number, key = 'a'): string {
  return `${`{"${key}":`.repeat(n)}1${'}'.repeat(n)}`;
}

/** A value for one query or route parameter: hostile strings, numbers as text, or an array of repeats. */
export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber.map(String) },
  {
    weight: 1,
    arbitrary: fc
      .date({ noInvalidDate: false })
      .map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: -1e6, max: 1e9 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'ms', ''))
      .map(([n, u]) => `${n}${u}`),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{1,40}$/) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 60 }) },
);
