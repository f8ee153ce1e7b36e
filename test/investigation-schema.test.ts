// The findings' schema: a fixture finding of every kind (each next_step action, both signal
// shapes) and a run stored by investigate@2 before suspect commits named their repository parse,
// come back from JSON unchanged, and validate against the published
// docs/investigation.schema.json with an independent validator (Ajv); malformed data is refused
// by both.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  FINDING_KINDS,
  type Finding,
  findingSchema,
  findingsOf,
  investigationSchema,
  isRcaSignal,
} from '../src/model/index.js';

const dir = new URL('./fixtures/investigate/', import.meta.url);
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const fixtures = readdirSync(new URL('findings/', dir))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((name) => ({ name, json: read(`findings/${name}`) }));

const published = JSON.parse(readFileSync(new URL('../docs/investigation.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true });
ajv.addSchema(published);
const validateInvestigation = ajv.getSchema(published.$id)!;
const validateFinding = ajv.compile({ $ref: `${published.$id}#/properties/result/properties/findings/items` });

describe('the findings schema', () => {
  it('has a fixture for every kind, every next_step action and both signal shapes', () => {
    const fs = fixtures.map((f) => findingSchema.parse(f.json));
    assert.deepEqual([...new Set(fs.map((f) => f.kind))].sort(), [...FINDING_KINDS].sort());
    const actions = findingsOf(fs, 'next_step').map((f) => f.data.action);
    assert.deepEqual([...new Set(actions)].sort(), ['ask', 'inspect', 'rollback']);
    const signals = findingsOf(fs, 'signal').map((f) => isRcaSignal(f.data));
    assert.deepEqual([...new Set(signals)].sort(), [false, true]);
  });

  for (const { name, json } of fixtures) {
    it(`${name}: parses, round-trips through JSON unchanged, and the published schema accepts it`, () => {
      const parsed: Finding = findingSchema.parse(json);
      assert.deepEqual(parsed, json);
      assert.deepEqual(JSON.parse(JSON.stringify(parsed)), json);
      assert.ok(validateFinding(json), ajv.errorsText(validateFinding.errors));
    });
  }

  it('accepts a stored investigate@2 run whose suspect commit does not name its repository', () => {
    const run = read('stored-investigate-2-run.json');
    const parsed = investigationSchema.parse(run);
    assert.deepEqual(JSON.parse(JSON.stringify(parsed)), run);
    const suspect = findingsOf(parsed.result.findings, 'suspect_commit')[0]!;
    assert.equal(suspect.data.repository, undefined);
    assert.equal(suspect.data.blame[0]?.repository, 'shop');
    assert.ok(validateInvestigation(run), ajv.errorsText(validateInvestigation.errors));
  });

  const fixture = (name: string) => structuredClone(fixtures.find((f) => f.name === name)!.json) as Finding;
  const bad: Array<[string, () => unknown, RegExp]> = [
    [
      'impact users "7"',
      () => {
        const f = fixture('impact.json');
        return { ...f, data: { ...f.data, users: '7' } };
      },
      /users/,
    ],
    [
      'an unknown next_step action',
      () => ({ ...fixture('next-step-ask.json'), data: { action: 'reboot', ask: [] } }),
      /action/,
    ],
    ['change data {}', () => ({ ...fixture('change.json'), data: {} }), /deployId/],
    ['a kind that is not a finding', () => ({ ...fixture('change.json'), kind: 'onset' }), /kind/],
    [
      'a field the kind does not have',
      () => {
        const f = fixture('code-location.json');
        return { ...f, data: { ...f.data, line: 40 } };
      },
      /line/,
    ],
  ];
  for (const [what, make, field] of bad) {
    it(`refuses ${what}, in zod and in the published schema`, () => {
      const f = make();
      const r = findingSchema.safeParse(f);
      assert.equal(r.success, false);
      assert.match(JSON.stringify(r.error?.issues), field);
      assert.equal(validateFinding(f), false);
    });
  }
});
