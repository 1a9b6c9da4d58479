/* Resumable photo and video uploads: media/_resumable_field.html, over tus 1.0 (media/tus.py)
 * with the vendored tus-js-client.
 *
 * Each chosen file gets a row with its own progress bar and goes up in chunks. A cut connection
 * is retried with growing delays, and again when the browser says it is back online; a page
 * closed halfway picks up where it stopped when the same file is chosen again (tus-js-client
 * keeps the upload's URL in localStorage under the file's fingerprint). The ids of completed
 * uploads go, comma-separated, into the hidden input, and every change is announced as a
 * "resumable:change" event ({uploads, busy}) on the field. A form is not submitted while a
 * file is still going up.
 */
(function () {
  "use strict";

  var CHUNK = 8 * 1024 * 1024;
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

  // A short, non-reversible tag of the purpose's metadata (it may hold a link's token): the
  // fingerprint keeps one upload per file *and* per purpose, so the same video shared for two
  // requests is two uploads, and localStorage never holds the token itself.
  function tag(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16);
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var input = root.querySelector("input[type=file]");
    var hidden = root.querySelector("input[type=hidden]");
    var list = root.querySelector(".resumable-list");
    var live = root.querySelector(".resumable-status");
    // Shown (and focused, so it is read) when the form is sent while a file is going up.
    var busy = document.createElement("p");
    busy.className = "msg msg-warning resumable-busy";
    busy.tabIndex = -1;
    busy.hidden = true;
    busy.textContent = root.dataset.msgBusy || "";
    list.after(busy);
    var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
    var purpose = root.dataset.purpose;
    var extra = {};
    try {
      extra = JSON.parse(root.dataset.metadata || "{}");
    } catch (e) {
      extra = {};
    }
    var extraTag = tag(JSON.stringify(extra));
    var done = []; // completed upload ids, in the order they completed
    var going = 0; // uploads not yet finished or failed
    var failed = []; // {start} of uploads stopped by a network error, restarted when online

    function msg(key) {
      return root.dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
    }

    function announce(text) {
      // Only changes of state are announced, never each percent.
      live.textContent = "";
      window.setTimeout(function () {
        live.textContent = text;
      }, 50);
    }

    function changed() {
      hidden.value = done.join(",");
      if (going === 0) busy.hidden = true;
      root.dataset.busy = going > 0 ? "true" : "false";
      root.dispatchEvent(
        new CustomEvent("resumable:change", {
          bubbles: true,
          detail: { uploads: done.slice(), busy: going > 0 },
        })
      );
    }

    function add(file) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "resumable-name";
      name.textContent = file.name;
      var actions = document.createElement("span");
      actions.className = "resumable-actions";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = msg("remove");
      remove.setAttribute("aria-label", msg("remove") + " " + file.name);
      actions.appendChild(remove);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", format(msg("progress"), { name: file.name }));
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("aria-valuenow", "0");
      var state = document.createElement("span");
      state.className = "resumable-state";
      item.append(name, actions, bar, state);
      list.appendChild(item);

      var id = null;
      var upload = null;
      var finished = false;

      function show(key, text, percent) {
        item.dataset.state = key;
        state.textContent = text;
        if (percent !== undefined) {
          bar.value = percent;
          bar.setAttribute("aria-valuenow", String(percent));
          bar.setAttribute("aria-valuetext", percent + " %");
        }
      }

      function stop() {
        if (finished) return;
        finished = true;
        going -= 1;
        changed();
      }

      function start() {
        if (finished) {
          finished = false;
          going += 1;
          changed();
        }
        var retry = item.querySelector(".resumable-retry");
        if (retry) retry.remove();
        show("waiting", msg("waiting"));
        upload = new window.tus.Upload(file, {
          endpoint: endpoint,
          chunkSize: parseInt(root.dataset.chunkSize, 10) || CHUNK,
          retryDelays: RETRY_DELAYS,
          metadata: Object.assign({}, extra, {
            purpose: purpose,
            filename: file.name,
            filetype: file.type || "application/octet-stream",
          }),
          storeFingerprintForResuming: true,
          removeFingerprintOnSuccess: true,
          fingerprint: function (f) {
            return Promise.resolve(
              ["porchlight-tus", purpose, extraTag, f.name, f.type, f.size, f.lastModified, endpoint].join("/")
            );
          },
          onProgress: function (sent, total) {
            var percent = total ? Math.floor((sent / total) * 100) : 0;
            show("sending", msg("sending") + " " + percent + " %", percent);
          },
          onShouldRetry: function (err) {
            var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
            // The server's refusals (4xx) are final, except a busy upload (409, 423).
            if (status >= 400 && status < 500 && status !== 409 && status !== 423) return false;
            show("retrying", navigator.onLine === false ? msg("offline") : msg("retrying"));
            return true;
          },
          onError: function (err) {
            var response = err.originalResponse;
            var status = response ? response.getStatus() : 0;
            var reason = status >= 400 && status < 500 ? response.getBody() : msg("network");
            show("failed", msg("failed") + " " + reason);
            announce(file.name + ": " + msg("failed") + " " + reason);
            if (!(status >= 400 && status < 500)) {
              // A network failure: offer to try again, and try by itself when back online.
              var again = document.createElement("button");
              again.type = "button";
              again.className = "resumable-retry";
              again.textContent = msg("retry");
              again.addEventListener("click", start);
              actions.insertBefore(again, remove);
              failed.push(start);
            }
            stop();
          },
          onSuccess: function () {
            id = upload.url.split("/").pop();
            done.push(id);
            show("done", msg("done"), 100);
            announce(file.name + ": " + msg("done"));
            stop();
          },
        });
        upload.findPreviousUploads().then(function (previous) {
          if (previous.length) {
            show("resuming", msg("resuming"));
            upload.resumeFromPreviousUpload(previous[0]);
          }
          upload.start();
        });
      }

      remove.addEventListener("click", function () {
        if (!finished && upload) {
          upload.abort(true).catch(function () {}); // DELETE: the server drops the bytes
        }
        if (id) done = done.filter(function (d) { return d !== id; });
        failed = failed.filter(function (f) { return f !== start; });
        if (!finished) {
          finished = true;
          going -= 1;
        }
        item.remove();
        changed();
        input.focus();
      });

      going += 1;
      changed();
      start();
    }

    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, add);
      input.value = ""; // choosing the same file again (to resume) fires "change" again
    });

    window.addEventListener("online", function () {
      var waiting = failed;
      failed = [];
      waiting.forEach(function (start) { start(); });
    });

    var form = root.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (going > 0) {
          event.preventDefault();
          busy.hidden = false;
          busy.focus();
        }
      });
    }
    changed();
  }

  function init() {
    if (!window.tus || !window.tus.isSupported) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-resumable]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
