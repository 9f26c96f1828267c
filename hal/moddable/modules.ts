// The one file that imports the Moddable SDK's modules (bare specifiers, resolved by the XS
// linker; rollup keeps them external). Only modules present on every target we support (ESP32
// and the Linux simulator) are here; platform-specific ones (wifi, ota, flash, restart) are
// passed by the app in the HAL options. Nothing runs at load time: the object is built on call,
// so this module can be preloaded.
//
// `preference` comes from the app too: the simulator's version keeps its JSON file in module
// state, which a preloaded bundle importing it would freeze at build time (stored redirects
// would then never be saved). Imported by the app's main module, it loads at run time.
import { Socket } from 'socket';
import SecureSocket from 'securesocket';
import Timer from 'timer';
import Time from 'time';
import Net from 'net';
import { Request } from 'http';
import { Digest } from 'crypt';
import Resource from 'Resource';
import CertificateManager from 'ssl/cert';
import type { ModdableModules, PreferenceModule } from './types';

/** The SDK modules the HAL uses; `Preference` is the app's `import Preference from "preference"`. */
export function moddableModules(app: { Preference: PreferenceModule }): ModdableModules {
  const { Preference } = app;
  return {
    Socket,
    SecureSocket,
    Timer,
    Time,
    Preference,
    Net,
    Request,
    Digest,
    Resource,
    registerCA,
    trace: traceText,
  };
}

// Module-level functions: in flash once preloaded, not two closures made per HAL.
function registerCA(der: Parameters<NonNullable<ModdableModules['registerCA']>>[0]): void {
  CertificateManager.register(der);
}

function traceText(text: string): void {
  trace(text);
}
