/**
 * Keeps the items of the last `spanMs` milliseconds, oldest first; items arrive in time order. With `aging`,
 * an item is replaced by `aging.age(item)` (e.g. a smaller form of it) once `aging.after` newer ones arrived.
 */
export class TimeWindow<T extends { time: number }> {
  // Slots before `start` are expired and hold undefined, so what they held can be collected at once.
  private items: (T | undefined)[] = [];
  private start = 0;

  constructor(
    private readonly spanMs: number,
    private readonly aging?: { after: number; age: (item: T) => T },
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.aging) {
      const aged = this.items.length - 1 - this.aging.after;
      if (aged >= this.start) this.items[aged] = this.aging.age(this.items[aged]!);
    }
    const oldest = item.time - this.spanMs;
    while (this.start < this.items.length && this.items[this.start]!.time < oldest) this.items[this.start++] = undefined;
    // Compact only when the dead prefix is as large as the live part: amortized O(1) per push.
    if (this.start > 64 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  toArray(): T[] {
    return this.items.slice(this.start) as T[];
  }

  get length(): number {
    return this.items.length - this.start;
  }
}
