// Inside XS, counted with xsnap's meter (slots, not time): the receive path makes nothing per
// downlink message but the value string (the topic comes from the framer's cache; strings are
// chunks, not slots), and the heap does not grow. A closure or a view made per message would
// be ~1,000 to 4,000 slots per 1,000 messages; per-chunk bookkeeping is a few dozen.
import { measureReceivePath } from '../../tools/xs/bench';

test('inside XS: no heap growth and (almost) no slots per downlink message, framer to handler', async () => {
  const { results } = await measureReceivePath({ messages: 10_000 });
  for (const [stage, r] of Object.entries(results)) {
    expect({ stage, growth: r.heap_growth }).toEqual({ stage, growth: 0 });
    expect({ stage, perThousand: r.slots_per_1000 < 50 }).toEqual({ stage, perThousand: true });
  }
}, 120_000);
