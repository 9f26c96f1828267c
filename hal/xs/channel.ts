// The XS end of the bridge: synchronous calls to the Node parent through xsnap's issueCommand,
// and the handleCommand entry point through which the parent delivers event batches
// (the protocol is in protocol.ts).
import { ANSWER_HEADER, BATCH_HEADER, CALL_HEADER, Event, frame, readF64, readU32, Status } from './protocol';
import { decodeText, encodeText } from '../text';

interface XsnapGlobals {
  issueCommand?: (request: ArrayBuffer) => ArrayBuffer;
  handleCommand?: (batch: ArrayBuffer) => ArrayBuffer | undefined;
}

export interface Answer {
  status: number;
  body: Uint8Array;
}

/** Handles one event: `body` is a view valid only during the call. */
export type EventHandler = (ref: number, body: Uint8Array) => void;

const EMPTY = new Uint8Array(0);
const NO_ANSWER = new ArrayBuffer(0);

export class Channel {
  private readonly issue: (request: ArrayBuffer) => ArrayBuffer;
  private readonly handlers = new Map<number, EventHandler>();
  private time = 0;
  private answer: ArrayBuffer = NO_ANSWER;
  /** Where an exception thrown by an event handler is reported (the HAL logs it). */
  onHandlerError: ((op: number, error: unknown) => void) | undefined;

  constructor() {
    const g = globalThis as unknown as XsnapGlobals;
    if (typeof g.issueCommand !== 'function') throw new Error('hal/xs: no issueCommand here (not inside xsnap-worker)');
    this.issue = g.issueCommand;
    g.handleCommand = (batch) => this.dispatch(new Uint8Array(batch));
  }

  /** The parent's monotonic time as of the newest answer or batch. */
  now(): number {
    return this.time;
  }

  /** Make a call and wait for the parent's answer. */
  call(op: number, ref = 0, body?: Uint8Array): Answer {
    const request = frame(op, ref, body);
    const reply = new Uint8Array(this.issue(request.buffer as ArrayBuffer));
    if (reply.length < ANSWER_HEADER) return { status: Status.ERROR, body: encodeText('the bridge gave no answer') };
    const t = readF64(reply, 1);
    if (t > this.time) this.time = t;
    return { status: reply[0]!, body: reply.subarray(ANSWER_HEADER) };
  }

  callText(op: number, ref: number, text: string): Answer {
    return this.call(op, ref, encodeText(text));
  }

  callJson(op: number, ref: number, value: unknown): Answer {
    return this.call(op, ref, encodeText(JSON.stringify(value)));
  }

  on(op: number, handler: EventHandler): void {
    this.handlers.set(op, handler);
  }

  /** Set the batch's answer (a query handler does this). */
  reply(value: unknown): void {
    this.answer = encodeText(JSON.stringify(value === undefined ? null : value)).buffer as ArrayBuffer;
  }

  private dispatch(batch: Uint8Array): ArrayBuffer {
    this.answer = NO_ANSWER;
    if (batch.length < BATCH_HEADER) return NO_ANSWER;
    const t = readF64(batch, 0);
    if (t > this.time) this.time = t;
    let pos = BATCH_HEADER;
    while (pos + 4 <= batch.length) {
      const n = readU32(batch, pos);
      const start = pos + 4;
      pos = start + n;
      if (n < CALL_HEADER || pos > batch.length) break;
      const op = batch[start]!;
      const handler = this.handlers.get(op);
      if (!handler) continue;
      const body = n > CALL_HEADER ? batch.subarray(start + CALL_HEADER, pos) : EMPTY;
      try {
        handler(readU32(batch, start + 1), body);
      } catch (e) {
        // A HAL callback threw (the core guards its own, so this is a bug): report, carry on.
        this.onHandlerError?.(op, e);
      }
    }
    return this.answer;
  }
}

export function json(body: Uint8Array): unknown {
  return JSON.parse(decodeText(body));
}

export { Event };
