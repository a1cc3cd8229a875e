// Starts the OAT console: checks for WebGL 2, reads config.json, downloads the program with
// a progress bar (build.json, written by the build, gives its size when the transfer is
// compressed), then hands over to oat_console.js (emscripten's loader) with the arguments
// the program reads (see web/src/main.cpp):
//   --api-base URL   from config.json's "apiBase" ("" = this page's origin)
//   --test-hook      when the page was opened with ?test=1
//   --registry-host HOST[:PORT]  from config.json's "registryHost" (oatd serve --registry-host
//                    adds it), for the "docker login HOST -u ORG" line
(function () {
  "use strict";

  var canvas = document.getElementById("canvas");
  var splash = document.getElementById("splash");
  var bar = splash.querySelector(".bar");
  var fill = document.getElementById("bar-fill");
  var statusLine = document.getElementById("splash-status");

  try {
    if (window.localStorage.getItem("oat.theme") === "light") {
      document.documentElement.setAttribute("data-theme", "light");
    }
  } catch (e) { /* storage may be off; the dark default stands */ }

  function setStatus(text) { statusLine.textContent = text; }
  function setProgress(fraction) {
    if (fraction < 0) {
      bar.classList.add("indeterminate");
    } else {
      bar.classList.remove("indeterminate");
      fill.style.width = Math.round(Math.min(1, fraction) * 100) + "%";
    }
  }
  function fail(message) {
    splash.classList.remove("hidden");
    splash.classList.add("failed");
    setStatus(message);
  }

  function hasWebGL2() {
    try {
      return !!document.createElement("canvas").getContext("webgl2");
    } catch (e) {
      return false;
    }
  }

  // A JSON file beside this page, revalidated (its ETag makes that cheap); missing or
  // unreadable means {}.
  function loadJson(name) {
    return fetch(name, { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; });
  }

  // The whole body as an ArrayBuffer, reporting progress (0..1, or -1 while the size is not
  // known). A compressed transfer's Content-Length does not count the bytes the stream yields,
  // so then the size comes from SIZE, a promise of the uncompressed size (build.json, written
  // beside the program when it is built), if it names one.
  function download(url, size, onProgress) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + " answered HTTP " + response.status);
      var total = response.headers.get("Content-Encoding") ? 0 : Number(response.headers.get("Content-Length")) || 0;
      if (!response.body) {
        onProgress(-1);
        return response.arrayBuffer();
      }
      size.then(function (bytes) { if (!total && bytes > 0) total = bytes; });
      var reader = response.body.getReader();
      var chunks = [];
      var received = 0;
      function next() {
        return reader.read().then(function (step) {
          if (step.done) {
            var bytes = new Uint8Array(received);
            var offset = 0;
            chunks.forEach(function (c) { bytes.set(c, offset); offset += c.length; });
            return bytes.buffer;
          }
          chunks.push(step.value);
          received += step.value.length;
          onProgress(total ? received / total : -1);
          return next();
        });
      }
      return next();
    });
  }

  function hideSplashAfterFirstFrames() {
    var frames = 0;
    function tick() {
      if (++frames < 3) return window.requestAnimationFrame(tick);
      splash.classList.add("hidden");
    }
    window.requestAnimationFrame(tick);
  }

  if (!hasWebGL2()) {
    fail("The OAT console needs WebGL 2, which this browser does not offer or has turned off.");
    return;
  }

  var args = [];
  if (new URLSearchParams(window.location.search).get("test") === "1") args.push("--test-hook");

  setStatus("Downloading\u2026");
  // build.json names the program's files by their content (a browser keeps those for a year and
  // asks again only for a new build); without it, the plain names.
  var build = loadJson("build.json");
  var wasmSize = build.then(function (info) { return Number(info.wasmBytes) || 0; });
  var program = build.then(function (info) {
    return {
      wasm: typeof info.wasm === "string" ? info.wasm : "oat_console.wasm",
      js: typeof info.js === "string" ? info.js : "oat_console.js"
    };
  });
  var js = "oat_console.js";
  Promise.all([loadJson("config.json"), program.then(function (files) {
    js = files.js;
    return download(files.wasm, wasmSize, setProgress);
  })])
    .then(function (results) {
      var config = results[0] || {};
      var apiBase = typeof config.apiBase === "string" ? config.apiBase : "";
      if (typeof config.registryHost === "string" && config.registryHost) {
        args.push("--registry-host", config.registryHost);
      }
      setStatus("Starting\u2026");
      window.Module = {
        canvas: canvas,
        arguments: ["--api-base", apiBase].concat(args),
        wasmBinary: results[1],
        print: function (text) { console.log(text); },
        printErr: function (text) { console.error(text); },
        onRuntimeInitialized: hideSplashAfterFirstFrames,
        onAbort: function (what) { fail("The console stopped: " + what); }
      };
      var script = document.createElement("script");
      script.src = js;
      script.onerror = function () { fail(js + " could not be loaded."); };
      document.body.appendChild(script);
    })
    .catch(function (e) {
      fail("The console could not be loaded: " + e.message);
    });
})();
