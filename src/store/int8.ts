// int8 (bigint) comes back as a number or BigInt from PGlite and as a string from pg.
// Both backends are configured with this one parser so that callers always see a number;
// Orrery's counts and ids stay far below 2^53.
export const INT8_OID = 20;

export function parseInt8(value: string): number {
  return Number(value);
}
