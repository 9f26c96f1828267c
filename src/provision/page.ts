// The page config mode serves at `/` for a laptop or phone browser: the fields of Edgent's
// form (ssid, pass, blynk, host, port_ssl), the networks from /wifi_scan.json, the board info
// and the answer of /config. No external resources; about 3 KB, kept as one string in flash.

import { utf8Encode } from '../util/utf8';

export const PAGE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Device setup</title>
<style>
body{font:16px sans-serif;margin:0;background:#f4f4f4}
main{max-width:26em;margin:1em auto;padding:1em;background:#fff;border-radius:6px}
label{display:block;margin-top:.7em}input,select{width:100%;box-sizing:border-box;padding:.4em;font-size:1em}
button{margin-top:1em;padding:.5em 1.5em;font-size:1em}#result{white-space:pre-wrap;margin-top:1em}
.err{color:#b00020}.ok{color:#1b5e20}small{color:#666}
</style></head><body><main>
<h1>Device setup</h1>
<p id="board"><small>Reading the device...</small></p>
<form id="form">
<label>Wi-Fi network <select id="net"><option value="">Scanning...</option></select></label>
<label>or type its name <input id="ssid" name="ssid" maxlength="32" autocomplete="off"></label>
<label>Password <input id="pass" name="pass" type="password" maxlength="64" autocomplete="off"></label>
<label>Auth token <input id="blynk" name="blynk" required pattern="[\\-_a-zA-Z0-9]{32}" maxlength="32" autocomplete="off"></label>
<label>Host <input id="host" name="host" value="blynk.cloud" maxlength="255"></label>
<label>Port <input id="port_ssl" name="port_ssl" type="number" value="443" min="1" max="65535"></label>
<button id="apply" type="submit">Apply</button>
</form>
<div id="result"></div>
</main><script>
var E={700:"the configuration was invalid",701:"the Wi-Fi network could not be joined",702:"the cloud could not be reached",703:"the auth token was refused",704:"the device could not store the configuration"};
function $(i){return document.getElementById(i)}
function show(t,ok){var r=$("result");r.textContent=t;r.className=ok?"ok":"err"}
fetch("/board_info.json").then(function(r){return r.json()}).then(function(b){
var s=b.board+" ("+b.ssid+"), firmware "+b.fw_ver;
if(b.last_error)s+=". Last attempt failed: "+(E[b.last_error]||"error "+b.last_error);
$("board").textContent=s}).catch(function(){$("board").textContent="Board info unavailable"});
fetch("/wifi_scan.json").then(function(r){return r.json()}).then(function(l){
var n=$("net");n.innerHTML="";var o=document.createElement("option");o.value="";o.textContent=l.length?"Choose...":"No networks found";n.appendChild(o);
l.forEach(function(w){var o=document.createElement("option");o.value=w.ssid;o.textContent=w.ssid+" ("+w.rssi+" dBm, "+w.sec+")";n.appendChild(o)})
}).catch(function(){$("net").innerHTML="<option value=''>Scan failed</option>"});
$("net").onchange=function(){if(this.value)$("ssid").value=this.value};
$("form").onsubmit=function(e){e.preventDefault();
var p=new URLSearchParams();["ssid","pass","blynk","host","port_ssl"].forEach(function(k){p.append(k,$(k).value)});
show("Sending...",true);
fetch("/config",{method:"POST",headers:{"Content-Type":"application/x-www-form-urlencoded"},body:p.toString()})
.then(function(r){return r.json().then(function(j){show(j.msg,r.ok&&j.status==="ok")})})
.catch(function(){show("The device did not answer",false)})};
</script></body></html>
`;

let bytes: Uint8Array | undefined;
/** The page as bytes, encoded once. */
export function pageBytes(): Uint8Array {
  bytes ??= utf8Encode(PAGE_HTML);
  return bytes;
}
