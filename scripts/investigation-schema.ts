// `npm run schema`: writes docs/investigation.schema.json, the published JSON Schema of a stored
// investigation, from the zod schema in src/model (the one definition; the file is never edited
// by hand). test/investigations-api.test.ts fails when the file and the schema differ.
import { writeFileSync } from 'node:fs';
import { investigationJsonSchema } from '../src/model/index.js';

const target = new URL('../docs/investigation.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(investigationJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
