// node:test reporter for the guests' watchdog (guest/init): one line per test as it starts (test:dequeue),
// so that a stalled suite names the test it is stuck in (spec and TAP print a test only once it has ended).
export default async function* startedTests(source) {
  for await (const event of source) {
    if (event.type === 'test:dequeue') yield `${event.data.name} (${event.data.file ?? 'top level'})\n`;
  }
}
