/**
 * Group commit for statements many callers send at once: while `maxInFlight` statements run, the items that arrive
 * wait and then go together in one statement (one commit); each caller is still answered only after its own item's
 * statement. At a low rate every item has its statement at once, so nothing waits for a timer.
 *
 * A batch the database refuses is retried item by item, so one bad item fails alone.
 */
export function grouped<I, R>(opts: { maxInFlight: number; maxBatch: number; run: (items: I[]) => Promise<R[]> }): (item: I) => Promise<R> {
  type Waiting = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void };
  const waiting: Waiting[] = [];
  let inFlight = 0;

  async function write(batch: Waiting[]): Promise<void> {
    const results = await opts.run(batch.map((w) => w.item));
    batch.forEach((w, i) => w.resolve(results[i] as R));
  }

  function pump(): void {
    while (inFlight < opts.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, opts.maxBatch);
      inFlight++;
      write(batch)
        .catch(async (err: unknown) => {
          if (batch.length === 1) return batch[0]!.reject(err);
          await Promise.all(batch.map((w) => write([w]).catch((e: unknown) => w.reject(e))));
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
