/**
 * A Date whose "local" time is UTC, for date-fns: `parse` builds its result through the reference
 * date's local setters, so with a plain Date a zone-less export time ("2024-03-10 02:30:00") would
 * be read in the machine's zone (and shifted across a DST gap). Export times without a zone are
 * UTC by our rule (ServiceNow and Jira write them so in their API exports); this makes date-fns agree.
 * (The same idea as the @date-fns/utc package, which is not a dependency here.)
 */
export class UTCDate extends Date {
  override getFullYear(): number { return this.getUTCFullYear(); }
  override getMonth(): number { return this.getUTCMonth(); }
  override getDate(): number { return this.getUTCDate(); }
  override getDay(): number { return this.getUTCDay(); }
  override getHours(): number { return this.getUTCHours(); }
  override getMinutes(): number { return this.getUTCMinutes(); }
  override getSeconds(): number { return this.getUTCSeconds(); }
  override getMilliseconds(): number { return this.getUTCMilliseconds(); }
  override getTimezoneOffset(): number { return 0; }
  override setFullYear(y: number, m?: number, d?: number): number {
    return this.setUTCFullYear(y, m ?? this.getUTCMonth(), d ?? this.getUTCDate());
  }
  override setMonth(m: number, d?: number): number { return this.setUTCMonth(m, d ?? this.getUTCDate()); }
  override setDate(d: number): number { return this.setUTCDate(d); }
  override setHours(h: number, m?: number, s?: number, ms?: number): number {
    return this.setUTCHours(h, m ?? this.getUTCMinutes(), s ?? this.getUTCSeconds(), ms ?? this.getUTCMilliseconds());
  }
  override setMinutes(m: number, s?: number, ms?: number): number {
    return this.setUTCMinutes(m, s ?? this.getUTCSeconds(), ms ?? this.getUTCMilliseconds());
  }
  override setSeconds(s: number, ms?: number): number { return this.setUTCSeconds(s, ms ?? this.getUTCMilliseconds()); }
  override setMilliseconds(ms: number): number { return this.setUTCMilliseconds(ms); }
}
