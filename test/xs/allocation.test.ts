// The receive path allocates nothing per message beyond the topic and value strings (issue 6's
// goal), measured inside XS with xsnap's meter: a regression guard against, for instance, a
// closure or a view made per message. Counts slots, not time.
import { measureReceivePath } from '../../tools/xs/bench';

test('inside XS: no heap growth and (almost) no slots per downlink message, framer to handler', async () => {
  const { results } = await measureReceivePath({ messages: 10_000 });
  for (const [stage, r] of Object.entries(results)) {
    expect({ stage, growth: r.heap_growth }).toEqual({ stage, growth: 0 });
    // A few slots per 1,000 messages are per-chunk bookkeeping; a closure per message would be ~3,000.
    expect({ stage, perThousand: r.slots_per_1000 < 100 }).toEqual({ stage, perThousand: true });
  }
}, 120_000);
