// The book's Try it page (book/try_it.md): a reader's photo through chapters 3 and 6's models, computed
// in the browser by onnxruntime-web. Nothing is sent anywhere: the photo is read from the file the
// reader chose, and the models and the runtime come from this site (_static/demo, copied by make book).
// Jupyter Book loads every script in _static on every page: this one does nothing elsewhere.
(function () {
  "use strict";
  const demo = new URL("demo/", document.currentScript.src); // .../_static/demo/
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  function start() {
    if (!document.getElementById("emocourse-demo")) return;
    const $ = (id) => document.getElementById("emocourse-demo-" + id);
    const MISSING = " is missing from this copy of the book";
    const loaded = {}; // model name -> Promise of {description, session}
    let runtime = null;
    let latest = 0; // the newest request: an older one that finishes later shows nothing
    let queue = Promise.resolve(); // one session.run at a time

    function loadRuntime() {
      runtime =
        runtime ||
        new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = new URL("ort/ort.wasm.min.js", demo).href;
          script.onload = () => {
            ort.env.wasm.wasmPaths = new URL("ort/", demo).href;
            ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which a static site lacks
            resolve(ort);
          };
          script.onerror = () => {
            runtime = null; // try again with the next photo
            reject(new Error("the runtime (onnxruntime-web)" + MISSING));
          };
          document.head.appendChild(script);
        });
      return runtime;
    }

    function loadModel(name) {
      loaded[name] =
        loaded[name] ||
        loadRuntime()
          .then(async (ort) => {
            const response = await fetch(new URL(name + "/model.json", demo));
            if (!response.ok) throw new Error("the " + name + " model" + MISSING);
            const description = await response.json();
            const file = new URL(name + "/" + description.onnx.file, demo).href;
            const session = await ort.InferenceSession.create(file, { executionProviders: ["wasm"] });
            return { description, session };
          })
          .catch((error) => {
            delete loaded[name]; // try again with the next photo
            throw error;
          });
      return loaded[name];
    }

    // The image's centre square, resized to the model's side, as float32 pixels 0-255 in (1, C, side, side):
    // what model.json's onnx entry asks for (the network normalises inside). Grey is PIL's "L" conversion.
    function pixels(image, input) {
      const [, channels, side] = input.shape;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = side;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const crop = Math.min(image.naturalWidth, image.naturalHeight);
      const left = Math.floor((image.naturalWidth - crop) / 2);
      const top = Math.floor((image.naturalHeight - crop) / 2);
      context.imageSmoothingQuality = "high";
      context.drawImage(image, left, top, crop, crop, 0, 0, side, side);
      const rgba = context.getImageData(0, 0, side, side).data;
      const area = side * side;
      const data = new Float32Array(channels * area);
      for (let i = 0; i < area; i++) {
        const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
        if (channels === 1) {
          data[i] = Math.floor((r * 19595 + g * 38470 + b * 7471 + 0x8000) / 65536);
        } else {
          data[i] = r;
          data[area + i] = g;
          data[2 * area + i] = b;
        }
      }
      return new ort.Tensor("float32", data, [1, channels, side, side]);
    }

    function show(classes, probabilities) {
      const list = $("result");
      list.replaceChildren();
      const order = classes.map((_, k) => k).sort((a, b) => probabilities[b] - probabilities[a]);
      for (const k of order) {
        const percent = (100 * probabilities[k]).toFixed(1);
        const item = document.createElement("li");
        item.dataset.class = classes[k];
        item.dataset.probability = String(probabilities[k]);
        const name = document.createElement("span");
        name.className = "emocourse-demo-name";
        name.textContent = classes[k];
        const value = document.createElement("span");
        value.className = "emocourse-demo-value";
        value.textContent = percent + " %";
        const track = document.createElement("span"); // the bar chart: one bar per class
        track.className = "emocourse-demo-track";
        track.setAttribute("aria-hidden", "true");
        const bar = document.createElement("span");
        bar.className = "emocourse-demo-bar";
        bar.style.width = percent + "%";
        track.appendChild(bar);
        item.append(name, " ", value, track); // reads "happy 52.3 %"
        list.appendChild(item);
      }
      return classes[order[0]] + ", " + (100 * probabilities[order[0]]).toFixed(1) + " %";
    }

    async function predict() {
      const image = $("image");
      if (!image || !image.complete || !image.naturalWidth) return;
      const ticket = ++latest;
      const name = $("model").value;
      const status = $("status");
      $("result").replaceChildren();
      status.textContent = loaded[name] ? "Computing in your browser…" : "Loading the " + name + " model…";
      try {
        const { description, session } = await loadModel(name);
        if (ticket !== latest) return;
        const entry = description.onnx;
        const input = { [entry.input.name]: pixels(image, entry.input) };
        let seconds = 0;
        const run = queue.then(async () => {
          const start = performance.now();
          const output = await session.run(input);
          seconds = (performance.now() - start) / 1000;
          return output;
        });
        queue = run.catch(() => {});
        const output = await run;
        if (ticket !== latest) return;
        const best = show(description.classes, Array.from(output[entry.output.name].data));
        status.textContent =
          "The " + name + " model's answer, computed in your browser in " + seconds.toFixed(2) +
          " s. Most likely: " + best + ".";
      } catch (error) {
        if (ticket === latest) status.textContent = "Could not run the model: " + error.message;
      }
    }

    function choose(file) {
      if (!file) return;
      const status = $("status");
      if (!file.type.startsWith("image/")) {
        status.textContent = file.name + " is not an image: choose a photo (JPEG, PNG, WebP).";
        return;
      }
      const old = $("image");
      if (old) URL.revokeObjectURL(old.src);
      const image = document.createElement("img");
      image.id = "emocourse-demo-image";
      image.alt = "The photo you chose, read from your own disk";
      image.onload = predict;
      image.onerror = () => {
        status.textContent = "This browser cannot read " + file.name + " as an image: try a JPEG or a PNG.";
        image.remove();
      };
      image.src = URL.createObjectURL(file); // read locally: the photo is never uploaded
      $("result").replaceChildren();
      $("preview").replaceChildren(image);
    }

    $("file").addEventListener("change", (event) => choose(event.target.files[0]));
    $("model").addEventListener("change", predict);
    const drop = $("drop");
    // A photo dropped anywhere on the page is the reader's choice, not a page to open instead.
    document.addEventListener("dragover", (event) => event.preventDefault());
    document.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("emocourse-demo-over");
      choose(event.dataTransfer.files[0]);
    });
    drop.addEventListener("dragenter", () => drop.classList.add("emocourse-demo-over"));
    drop.addEventListener("dragleave", (event) => {
      if (!drop.contains(event.relatedTarget)) drop.classList.remove("emocourse-demo-over");
    });
  }
})();
