// Stack-trace parsing over a fixture matrix: test/fixtures/stacktraces/<runtime>/<case>.txt
// holds a trace as the runtime prints it, <case>.expected.json the parse (one frame a line).
// Each case is parsed without a hint (so detection is tested too) and with its runtime's
// hint. UPDATE_FIXTURES=1 rewrites the expected files; review the diff by hand.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  detectRuntime,
  isInApp,
  MAX_FRAMES,
  type ParsedStack,
  parseStackTrace,
  type Runtime,
  runtimeFromHint,
  type StackFrame,
} from '../src/analysis/index.js';

const ROOT = new URL('./fixtures/stacktraces/', import.meta.url);
const RUNTIMES = ['v8', 'python', 'java', 'go'] as const;
const UPDATE = process.env.UPDATE_FIXTURES === '1';

function renderFrames(frames: StackFrame[], indent: string): string {
  if (frames.length === 0) return '[]';
  return `[\n${frames.map((f) => `${indent}  ${JSON.stringify(f)}`).join(',\n')}\n${indent}]`;
}

/** JSON with one frame per line, so a reviewer reads the frames as a list. */
function render(p: ParsedStack): string {
  const causes = p.causes.map(
    (c) =>
      `    {\n      "type": ${JSON.stringify(c.type)},\n      "message": ${JSON.stringify(c.message)},\n      "frames": ${renderFrames(c.frames, '      ')}\n    }`,
  );
  return [
    '{',
    `  "runtime": ${JSON.stringify(p.runtime)},`,
    `  "type": ${JSON.stringify(p.type)},`,
    `  "message": ${JSON.stringify(p.message)},`,
    `  "frames": ${renderFrames(p.frames, '  ')},`,
    `  "causes": ${causes.length === 0 ? '[]' : `[\n${causes.join(',\n')}\n  ]`}`,
    '}',
    '',
  ].join('\n');
}

describe('parseStackTrace: fixture matrix', () => {
  for (const runtime of RUNTIMES) {
    const dir = new URL(`${runtime}/`, ROOT);
    const cases = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    it(`${runtime} has at least 4 cases`, () => assert.ok(cases.length >= 4, `${cases.length} cases`));
    for (const file of cases) {
      const name = file.slice(0, -4);
      it(`${runtime}/${name}`, () => {
        const text = readFileSync(new URL(file, dir), 'utf8');
        const got = parseStackTrace(text);
        const expectedUrl = new URL(`${name}.expected.json`, dir);
        if (UPDATE) writeFileSync(expectedUrl, render(got));
        const expected = JSON.parse(readFileSync(expectedUrl, 'utf8')) as ParsedStack;
        assert.deepEqual(got, expected);
        assert.equal(got.runtime, runtime, 'detected runtime');
        assert.ok(got.frames.length > 0, 'frames found');
        assert.deepEqual(parseStackTrace(text, runtime), got, 'same with the runtime as a hint');
      });
    }
  }
});

describe('parseStackTrace: contracts', () => {
  const fixture = (runtime: Runtime, name: string) => readFileSync(new URL(`${runtime}/${name}.txt`, ROOT), 'utf8');

  it('maps OpenTelemetry runtime hints', () => {
    const cases: Array<[string | null | undefined, Runtime]> = [
      ['nodejs', 'v8'],
      ['webjs', 'v8'],
      ['python', 'python'],
      ['CPython', 'python'],
      ['java', 'java'],
      ['OpenJDK Runtime Environment', 'java'],
      ['Java(TM) SE Runtime Environment', 'java'],
      ['go', 'go'],
      ['dotnet', 'unknown'],
      ['', 'unknown'],
      [null, 'unknown'],
      [undefined, 'unknown'],
    ];
    for (const [hint, want] of cases) assert.equal(runtimeFromHint(hint), want, String(hint));
  });

  it('classifies vendor frames per runtime, with configurable prefixes', () => {
    const f = (file: string, module: string | null = null, line: number | null = 1) => ({ file, module, line });
    const cases: Array<[ReturnType<typeof f>, Runtime, boolean]> = [
      [f('/app/src/cart.ts'), 'v8', true],
      [f('/app/node_modules/pg/lib/client.js'), 'v8', false],
      [f('node:internal/process/task_queues'), 'v8', false],
      [f('internal/process/task_queues.js'), 'v8', false],
      [f('<anonymous>', null, null), 'v8', false],
      [f('/srv/app/orders/views.py'), 'python', true],
      [f('/usr/lib/python3/dist-packages/requests/api.py'), 'python', false],
      [f('/usr/local/lib/python3.11/json/decoder.py'), 'python', false],
      [f('C:\\Python311\\Lib\\json\\decoder.py'), 'python', false],
      [f('<frozen importlib._bootstrap>'), 'python', false],
      [f('OrderService.java', 'com.acme.shop.OrderService'), 'java', true],
      [f('Thread.java', 'java.lang.Thread'), 'java', false],
      [f('HttpServlet.java', 'jakarta.servlet.http.HttpServlet'), 'java', false],
      [f('Unknown Source', 'com.acme.Foo$$Lambda$41/1858609436', null), 'java', false],
      [f('<generated>', 'com.acme.OrderService$$SpringCGLIB$$0', null), 'java', false],
      [f('/src/internal/cart/service.go', 'github.com/acme/shop/internal/cart'), 'go', true],
      [f('/usr/local/go/src/net/http/server.go', 'net/http'), 'go', false],
      [f('/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go', 'github.com/go-chi/chi/v5'), 'go', false],
      [f('runtime/panic.go', null), 'go', false],
      [f('/app/main.go', 'main'), 'go', true],
      [f('/app/node_modules/x/index.js'), 'unknown', false],
      [f('/app/x.py'), 'unknown', true],
    ];
    for (const [frame, runtime, want] of cases) assert.equal(isInApp(frame, runtime), want, `${runtime} ${frame.file}`);
    const petclinic = f('OwnerController.java', 'org.springframework.samples.petclinic.OwnerController');
    assert.equal(isInApp(petclinic, 'java'), false);
    assert.equal(isInApp(petclinic, 'java', { inApp: ['org.springframework.samples.'] }), true);
    assert.equal(isInApp(f('/app/src/generated/client.ts'), 'v8', { vendor: ['/generated/'] }), false);
    assert.equal(isInApp(f('/app/node_modules/x/index.js'), 'v8', { defaults: false }), true);
  });

  it('falls back to detection when the hint gives no frames', () => {
    const text = fixture('python', 'django-keyerror');
    const got = parseStackTrace(text, 'java');
    assert.equal(got.runtime, 'python');
    assert.equal(got.type, 'KeyError');
  });

  it('detects each runtime and finds nothing in prose', () => {
    assert.equal(detectRuntime(fixture('java', 'jdk8-completion-lambda')), 'java');
    assert.equal(detectRuntime(fixture('go', 'pkg-errors-wrapped')), 'go');
    assert.equal(detectRuntime('We met at 14:05:33 and talked at length.\nSee you at 9.'), 'unknown');
  });

  it('orders frames innermost first in every runtime', () => {
    assert.equal(parseStackTrace(fixture('python', 'django-keyerror')).frames[0]!.function, 'summarize');
    assert.equal(parseStackTrace(fixture('v8', 'express-typeerror')).frames[0]!.function, 'calculateTotal');
    assert.equal(
      parseStackTrace(fixture('java', 'jdk8-completion-lambda')).causes[0]!.frames[0]!.function,
      'RatioCalculator.ratio',
    );
    assert.equal(parseStackTrace(fixture('go', 'nil-pointer-http-handler')).frames[0]!.function, '(*Service).Total');
  });

  it('completes a Java cause with the frames `... N more` elided', () => {
    const got = parseStackTrace(fixture('java', 'spring-caused-by-chain'));
    assert.equal(got.frames.length, 42);
    assert.deepEqual(
      got.causes.map((c) => [c.type, c.frames.length]),
      [
        ['java.lang.IllegalStateException', 56],
        ['org.springframework.dao.DataIntegrityViolationException', 62],
        ['org.postgresql.util.PSQLException', 75],
      ],
    );
    for (const c of got.causes) assert.deepEqual(c.frames.at(-1), got.frames.at(-1));
  });

  it('reads a trace logged with escaped newlines', () => {
    const text = fixture('java', 'jdk8-completion-lambda');
    const escaped = text.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    assert.deepEqual(parseStackTrace(escaped), parseStackTrace(text));
  });

  it('never throws on garbage and returns no frames for it', () => {
    const garbage = [
      '',
      '   ',
      'hello world',
      'at',
      'at (',
      '    at )',
      '\tat (',
      'Traceback (most recent call last):',
      'File "',
      'goroutine 1 [running]:\n\t:1\nx(',
      'Caused by: \n... 5 more',
      '\u0000\u0001\u0002\ud800',
      Array.from({ length: 300 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join(''),
    ];
    for (const g of garbage) {
      for (const hint of [undefined, 'v8', 'python', 'java', 'go']) {
        const got = parseStackTrace(g, hint);
        assert.ok(Array.isArray(got.frames), JSON.stringify(g));
      }
    }
    assert.deepEqual(parseStackTrace('hello world').frames, []);
    assert.deepEqual(parseStackTrace(null as unknown as string).frames, []);
    assert.deepEqual(parseStackTrace(42 as unknown as string).frames, []);
  });

  it('caps frames at 200 and input at 64 KiB', () => {
    const deep = `Error: deep\n${'    at recurse (/app/src/deep.js:3:10)\n'.repeat(5000)}`;
    const got = parseStackTrace(deep);
    assert.equal(got.frames.length, MAX_FRAMES);
    const py = `Traceback (most recent call last):\n${'  File "/app/r.py", line 2, in r\n    r()\n'.repeat(5000)}RecursionError: x`;
    assert.equal(parseStackTrace(py).frames.length, MAX_FRAMES);
  });

  it('stays linear on hostile input', () => {
    const n = 64 * 1024;
    const hostile = [
      '    at '.repeat(n / 7),
      `    at ${'a ('.repeat(n / 3)}`,
      `\tat ${'a.'.repeat(n / 2)}(`,
      `${'    at x (y:1:2)\n'.repeat(n / 17)}`,
      `${'\t/a.go:1 +0x1\n'.repeat(n / 14)}`,
      `Error: ${'x: '.repeat(n / 3)}`,
      `${'a'.repeat(1999)}:`.repeat(n / 2000),
      `  File "${'"'.repeat(n)}`,
      `${'Foo'.repeat(n / 3)}Exception`,
    ];
    for (const text of hostile) {
      const t = performance.now();
      for (const hint of [undefined, 'v8', 'python', 'java', 'go']) parseStackTrace(text, hint);
      const ms = performance.now() - t;
      assert.ok(ms < 500, `${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 30))}`);
    }
  });
});
