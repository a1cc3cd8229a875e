// Starts the OAT console, with no request waiting on another:
//   1. asks at once for config.json and the program's .wasm (its content-hashed name is written
//      into this script's tag by the build; build.json says the same to a page that lacks it),
//      unless the browser has no WebGL 2 at all;
//   2. meanwhile makes the WebGL 2 context on the page's own canvas (the program later gets
//      that same context) and, if it cannot, stops the download and says why; else asks for
//      the program's .js (emscripten's glue) too;
//   3. compiles the .wasm while it downloads (WebAssembly.compileStreaming), filling the
//      progress bar from the bytes received (the build gives the uncompressed size, so a
//      compressed transfer counts too);
//   4. runs oat_console.js (emscripten's glue) with the arguments the program reads
//      (web/src/main.cpp):
//        --api-base URL   from config.json's "apiBase" ("" = this page's origin)
//        --test-hook      when the page was opened with ?test=1
//        --registry-host HOST[:PORT]  from config.json's "registryHost" (oatd serve
//                         --registry-host adds it), for the "docker login HOST -u ORG" line
// The splash goes with the program's first frame. performance.mark() names each step
// ("oat:loader", "oat:webgl", "oat:config", "oat:compiled", "oat:runtime") for the console
// benchmark.
(function () {
  "use strict";

  var script = document.currentScript;
  var canvas = document.getElementById("canvas");
  var splash = document.getElementById("splash");
  var bar = splash.querySelector(".bar");
  var fill = document.getElementById("bar-fill");
  var statusLine = document.getElementById("splash-status");

  // The splash in the theme the console will draw (web/src/theme.h, theme::Shown): the owner's
  // pick when one is saved, else the system's preference. The console keeps <html data-theme>
  // in step from its first frame on.
  var savedTheme = "";
  try {
    savedTheme = window.localStorage.getItem("oat.theme") || "";
  } catch (e) { /* storage may be off: no pick */ }
  var systemLight = !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches);
  if (savedTheme === "light" || (savedTheme !== "dark" && systemLight)) {
    document.documentElement.setAttribute("data-theme", "light");
  }

  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }
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

  // The on-screen keyboard. Where it shrinks the page (Chrome's interactive-widget=resizes-content,
  // index.html), the canvas shrinks with it. Where it only covers the page (the visual viewport
  // shrinks, the layout viewport does not), the console is made as tall as what is still seen:
  // either way the console keeps the field typed in above the keyboard (web/src/semantics.cpp).
  // A pinch zoom shrinks the visual viewport too; then the page keeps its height.
  var viewport = window.visualViewport;
  if (viewport) {
    var followKeyboard = function () {
      var covered = Math.abs(viewport.scale - 1) < 0.01 && viewport.height < window.innerHeight - 1;
      document.documentElement.style.setProperty("--oat-height", covered ? viewport.height + "px" : "");
    };
    viewport.addEventListener("resize", followKeyboard);
    followKeyboard();
  }

  // The canvas sized as the program sizes it (its CSS size times the pixel ratio: web/src/main.cpp
  // DrawingBufferSize), with the attributes its GLFW window asks for (no depth or stencil
  // buffer, no multisampling): the program's getContext() returns this very context, and
  // nothing is resized before the first frame.
  function webgl2() {
    try {
      var box = canvas.getBoundingClientRect();
      var ratio = window.devicePixelRatio > 0 ? window.devicePixelRatio : 1;
      canvas.width = Math.max(1, Math.round(Math.max(1, box.width) * ratio));
      canvas.height = Math.max(1, Math.round(Math.max(1, box.height) * ratio));
      return canvas.getContext("webgl2", { alpha: true, depth: false, stencil: false, antialias: false });
    } catch (e) {
      return null;
    }
  }

  // A JSON file beside this page, revalidated (its ETag makes that cheap); missing or
  // unreadable means {}.
  function loadJson(name) {
    return fetch(name, { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; });
  }

  // The program's files as this script's tag names them (the build writes them there), or null.
  function stampedFiles() {
    var data = script ? script.dataset : {};
    var stamped = function (v) { return typeof v === "string" && v !== "" && v.charAt(0) !== "@"; };
    if (!stamped(data.wasm) || !stamped(data.js)) return null;
    return { wasm: data.wasm, js: data.js, wasmBytes: Number(data.wasmBytes) || 0 };
  }

  // The program's files: from this script's tag, else build.json, else the plain names.
  function programFiles() {
    var named = stampedFiles();
    if (named) return named;
    return loadJson("build.json").then(function (info) {
      return {
        wasm: typeof info.wasm === "string" ? info.wasm : "oat_console.wasm",
        js: typeof info.js === "string" ? info.js : "oat_console.js",
        wasmBytes: Number(info.wasmBytes) || 0
      };
    });
  }

  // The response to `url` again, its body counted as it streams by (onProgress: 0..1, or -1
  // while the size is unknown). A compressed transfer's Content-Length does not count the bytes
  // the stream yields, so then the size is `size` (uncompressed), when known.
  function counted(response, size, onProgress) {
    if (!response.ok) throw new Error(response.url + " answered HTTP " + response.status);
    var total = response.headers.get("Content-Encoding") ? size : Number(response.headers.get("Content-Length")) || size;
    if (!response.body || typeof TransformStream !== "function") {
      onProgress(-1);
      return response;
    }
    var received = 0;
    var counter = new TransformStream({
      transform: function (chunk, controller) {
        received += chunk.byteLength;
        onProgress(total ? received / total : -1);
        controller.enqueue(chunk);
      }
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      headers: { "Content-Type": "application/wasm" }
    });
  }

  // Compiles while downloading (the counted response says application/wasm, whatever the
  // server said), without waiting for the glue: instantiating the compiled module later is
  // quick. A browser without streaming compiles the whole download at the end.
  function compile(response) {
    if (WebAssembly.compileStreaming && response.headers.get("Content-Type") === "application/wasm") {
      return WebAssembly.compileStreaming(response);
    }
    return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  }

  var noWebGL2 = "The OAT console needs WebGL 2, which this browser does not offer or has turned off.";
  mark("oat:loader");
  if (typeof WebGL2RenderingContext !== "function") {
    fail(noWebGL2);
    return;
  }

  var args = [];
  if (new URLSearchParams(window.location.search).get("test") === "1") args.push("--test-hook");

  setStatus("Downloading\u2026");
  // The downloads start before the WebGL context is made (which takes a while the first time),
  // and stop if it cannot be.
  var downloads = typeof AbortController === "function" ? new AbortController() : null;
  var signal = downloads ? downloads.signal : undefined;
  var config = loadJson("config.json").then(function (c) { mark("oat:config"); return c || {}; });
  // With the names in the tag, the program is asked for now, in this task; else once
  // build.json has named it.
  var stopped = false;
  function request(f) {
    if (stopped) return Promise.reject(new Error("stopped"));
    return fetch(f.wasm, { signal: signal }).then(function (r) { return counted(r, f.wasmBytes, setProgress); });
  }
  var named = programFiles();
  var files = Promise.resolve(named);
  var wasm = named.then ? named.then(request) : request(named);
  var compiled = wasm.then(compile).then(function (module) { mark("oat:compiled"); return module; });

  if (!webgl2()) {
    stopped = true;
    if (downloads) downloads.abort();
    fail(noWebGL2);
    return;
  }
  mark("oat:webgl");
  // The glue downloads beside the program (a preload), and runs once config.json has said
  // what arguments to give it.
  files.then(function (f) {
    var hint = document.createElement("link");
    hint.rel = "preload";
    hint.as = "script";
    hint.href = f.js;
    document.head.appendChild(hint);
  });

  Promise.all([config, files])
    .then(function (results) {
      var c = results[0];
      var apiBase = typeof c.apiBase === "string" ? c.apiBase : "";
      if (typeof c.registryHost === "string" && c.registryHost) args.push("--registry-host", c.registryHost);
      window.Module = {
        canvas: canvas,
        arguments: ["--api-base", apiBase].concat(args),
        // Emscripten's hook for instantiating the program ourselves: streaming, with progress.
        instantiateWasm: function (imports, done) {
          compiled.then(function (module) {
            setStatus("Starting\u2026");
            return WebAssembly.instantiate(module, imports).then(function (instance) { done(instance, module); });
          })
            .catch(function (e) { fail("The console could not be loaded: " + e.message); });
          return {};
        },
        print: function (text) { console.log(text); },
        printErr: function (text) { console.error(text); },
        // Before main(): this frame callback runs just ahead of the program's first, so the
        // splash is gone in the frame that first shows the console.
        onRuntimeInitialized: function () {
          mark("oat:runtime");
          window.requestAnimationFrame(function () { splash.classList.add("hidden"); });
        },
        onAbort: function (what) { fail("The console stopped: " + what); }
      };
      var glue = document.createElement("script");
      glue.src = results[1].js;
      glue.onerror = function () { fail(results[1].js + " could not be loaded."); };
      document.body.appendChild(glue);
    })
    .catch(function (e) {
      fail("The console could not be loaded: " + e.message);
    });
  compiled.catch(function (e) {
    if (!signal || !signal.aborted) fail("The console could not be loaded: " + e.message);
  });
})();
