// Builds a WHERE clause from optional filters, numbering the parameters as it goes.

export class Where {
  private readonly conds: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `cond` with every `?` standing for `value`, e.g. where.add('service = ?', s). */
  add(cond: string, value: unknown): this {
    this.params.push(value);
    this.conds.push(cond.replaceAll('?', `$${this.params.length}`));
    return this;
  }

  /** The next parameter's placeholder, for a value used outside the WHERE clause (LIMIT). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.conds.length ? `WHERE ${this.conds.join(' AND ')}` : '';
  }
}
