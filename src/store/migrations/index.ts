// The ordered, versioned migrations. Never edit one that has shipped: add the next.
import worldModel from './001-world-model.js';
import rawEvents from './002-raw-events.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'world-model', sql: worldModel },
  { version: 2, name: 'raw-events', sql: rawEvents },
];
