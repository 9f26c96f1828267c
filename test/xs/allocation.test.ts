// Inside XS, counted with xsnap's meter (slots, not time): the receive path makes nothing per
// downlink message but the value string (the topic comes from the framer's cache; strings are
// chunks, not slots), and the heap does not grow. A closure or a view made per message would
// be ~1,000 to 4,000 slots per 1,000 messages; per-chunk bookkeeping is a few dozen: each of the
// 23 chunks is its own buffer, as a socket read gives, so the framer makes one DataView per
// chunk (about 60 of the 73 per 1,000; it lets go of it when the chunk is used up).
import { measureReceivePath } from '../../tools/xs/bench';

test('inside XS: no heap growth and (almost) no slots per downlink message, framer to handler', async () => {
  const { results } = await measureReceivePath({ messages: 10_000 });
  for (const [stage, r] of Object.entries(results)) {
    expect({ stage, growth: r.heap_growth }).toEqual({ stage, growth: 0 });
    expect({ stage, perThousand: r.slots_per_1000 < 100 }).toEqual({ stage, perThousand: true });
  }
}, 120_000);
