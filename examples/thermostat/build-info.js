// The firmware's build time, as info/mcu wants it ("Mmm dd yyyy hh:mm:ss", like C's __DATE__
// and __TIME__). This module is preloaded (manifest.json), so its body runs once, on the build
// machine, when mcconfig links the app: the string is frozen into the firmware. Evaluated at
// run time instead it would be the boot time, and Blynk.Air could not tell two builds apart.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');
const now = new Date();

export default `${MONTHS[now.getMonth()]} ${String(now.getDate()).padStart(2, ' ')} ${now.getFullYear()} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
