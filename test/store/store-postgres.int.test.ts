// The store conformance suite on a real PostgreSQL server (127.0.0.1:5432, database per run).
import { storeConformance } from './conformance.js';
import { freshPostgres } from '../helpers/stores.js';

storeConformance('postgres', () => freshPostgres());
