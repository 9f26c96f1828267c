// The baseline half of `npm run bench:xs`: the Moddable SDK's own MQTT client
// ($MODDABLE/modules/network/mqtt/mqtt.js, bundled at run time as the bare import "mqtt",
// never copied into this repository) on stand-in socket and timer modules, fed the same
// chunks as this runtime. The handler gets the topic string and makes the value string, as
// the runtime's onWrite handlers get it.
import './engine-extras';
import Client from 'mqtt';
import { chunks, installStages, sink, type Stage } from '../bench-feed';
import { deliver, runTimers, wire } from './wire';

interface SdkClient {
  onReady?: () => void;
  onMessage?: (topic: string, payload: ArrayBuffer) => void;
}

const S = String as unknown as { fromArrayBuffer(b: ArrayBuffer): string };

function sdkStage(): Stage {
  // One ArrayBuffer per chunk, made once: the device's socket.read(ArrayBuffer) copy is left out.
  const input = chunks().map((c) => c.slice().buffer as ArrayBuffer);
  const client = new (Client as unknown as new (o: unknown) => SdkClient)({ host: 'bench', port: 1883, id: 'bench', timeout: 0 });
  const socket = wire.sockets[wire.sockets.length - 1]!;
  let ready = false;
  let n = 0;
  client.onReady = () => (ready = true);
  client.onMessage = (topic, payload) => {
    const value = S.fromArrayBuffer(payload);
    sink.n += (topic === '' ? 0 : 1) + (value === '' ? 0 : 1);
    n++;
  };
  socket.callback!(1); // connected: the client writes CONNECT
  deliver(socket, Uint8Array.of(0x20, 2, 0, 0).buffer as ArrayBuffer); // CONNACK
  runTimers();
  if (!ready) throw new Error('the SDK client did not get ready');
  return {
    round() {
      for (const c of input) {
        deliver(socket, c);
        runTimers(); // the client dispatches from a Timer.set(): the event loop runs it next
      }
    },
    count: () => n,
  };
}

/** The stage, by name (bench:xs asks for it by command; the simulator bench calls it). */
export const sdkStages: Record<string, () => Stage> = { sdk: sdkStage };

installStages(sdkStages);
