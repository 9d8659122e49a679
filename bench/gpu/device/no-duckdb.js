// Stands in for @duckdb/node-api in the bundle carried to a GPU machine: the GPU check reads its CSV without
// DuckDB, and the native module (68 MB) would not fit the carry.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- the stand-in keeps DuckDBInstance.create(), the API it replaces
export class DuckDBInstance {
  static create() {
    throw new Error('DuckDB is not part of the GPU check bundle')
  }
}
export function timestampValue() {
  throw new Error('DuckDB is not part of the GPU check bundle')
}
