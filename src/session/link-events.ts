// One connection's transport callbacks (link.ts opens one per connection).
import type { TransportEvents, TransportFailure } from '../../hal/interfaces';
import type { Link } from './link';

/**
 * One connection's transport callbacks, tagged with its generation so a late callback of an old
 * transport is ignored. A small object whose methods live in the class: four closures per
 * connection would each cost more than the whole object.
 */
export class LinkEvents implements TransportEvents {
  constructor(
    private readonly link: Link,
    private readonly gen: number,
  ) {}

  onOpen(): void {
    this.link.transportOpened(this.gen);
  }

  // The data path catches inline and calls received() itself (element access: it stays private
  // to Link): no frame and no closure per chunk.
  onData(bytes: Uint8Array): void {
    const link = this.link;
    try {
      if (this.gen === link['gen']) link['received'](this.gen, bytes);
    } catch (e) {
      link.unexpected(e);
    }
  }

  onDrain(): void {}

  onClose(failure: TransportFailure, detail?: string): void {
    this.link.transportEnded(this.gen, failure, detail);
  }
}
