// What a server-side value becomes on the wire: the API answers with JSON.stringify, so a
// Date arrives as its ISO-8601 string. The web UI and other clients read `Json<T>` of the
// type the server returns rather than re-declaring it.

export type Json<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;
