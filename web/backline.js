/* Backline's website chat: starts the rasa-webchat widget and adds what the page needs on top of it.
 *
 * - Controls: Start over and Delete send the bot's own commands (the start_over and delete_conversation
 *   intents, data/nlu; Delete still asks "Yes, delete it" in the chat); when the bot says the conversation
 *   is deleted, the page forgets it too (the widget's stored session token and transcript) and reloads,
 *   so nothing of it is shown again. Download saves the conversation as a text file; Print prints it.
 *   Text size sets the page's root size as a percentage of the browser's (remembered on this device).
 * - Escalation: a bot message that starts with "Seek care now." is highlighted (class bl-escalation)
 *   and repeated in the role="alert" box above the chat, so it cannot be missed or go unannounced.
 * - Emergency and crisis numbers in the bot's messages become tap-to-call tel: links.
 * - Sources: the bot's "Sources: A; B" line links each title to the page's Sources list.
 * - The diary chart gets the diary summary (the message before it) as its text alternative, and opens
 *   large in a dialog when tapped or clicked (or with its "Enlarge the chart" button).
 * - Keyboard and screen reader: quick replies become buttons (role, Tab, Enter/Space), the message
 *   box and the send button get labels, and the conversation is a live log. After an answer button is
 *   chosen, focus stays in the conversation: the message box (mouse, keyboard) or the log (touch, so that
 *   a phone's keyboard does not cover the next answer buttons).
 * - Bot text is never HTML: the widget renders it as Markdown with raw HTML escaped; links that are
 *   not http(s), mailto, tel or in-page lose their target here.
 *
 * Everything is done with DOM methods and textContent; nothing here writes HTML from a message.
 */
(function () {
  "use strict";

  var ESCALATION_PREFIX = "seek care now.";
  // domain.yml utter_conversation_deleted: the bot has deleted this conversation on its server.
  var DELETED_PREFIX = "done. i've deleted this conversation";
  var SOURCES_PREFIX = "Sources: ";
  var SAFE_LINK = /^(https?:|mailto:|tel:|#)/i;
  // The emergency numbers of the contract (911 / 999 / 112) and the crisis lines the bot names (988, 116 123).
  var PHONE_NUMBER = "(^|[^\\d])(999|911|112|988|116 123)(?!\\d)";
  var CHART_ROUTE = "/webhooks/rest/diary/chart.png";
  var WIDGET_STORE = "chat_session"; // rasa-webchat's key (params.storage "session": sessionStorage)
  var DELETED_FLAG = "backline-deleted";
  var TEXT_SIZE_KEY = "backline-text-size";
  var TEXT_SIZES = ["normal", "large", "larger", "largest"];
  var COMMANDS = {
    startOver: { payload: "/start_over", text: "Start over" },
    remove: { payload: "/delete_conversation", text: "Delete this conversation" }
  };

  function byId(id) {
    return document.getElementById(id);
  }

  function each(list, action) {
    Array.prototype.forEach.call(list, action);
  }

  // Storage can be switched off by the browser: the page then works without remembering.
  function storageGet(kind, key) {
    try {
      return window[kind].getItem(key);
    } catch (error) {
      return null;
    }
  }

  function storageSet(kind, key, value) {
    try {
      if (value === null) {
        window[kind].removeItem(key);
      } else {
        window[kind].setItem(key, value);
      }
    } catch (error) {
      // nothing to remember with
    }
  }

  // Where the Rasa server is: this page's own origin, unless the page lists servers in its
  // backline-servers meta tag (then the first, or the one ?server= names if it is listed). Any other
  // ?server= is ignored: a link must not send a caregiver's words to a server the site did not choose.
  function allowedServers() {
    var meta = document.querySelector('meta[name="backline-servers"]');
    return ((meta && meta.getAttribute("content")) || "").split(/\s+/).filter(function (url) {
      return /^https?:\/\/[^\s/]+$/i.test(url);
    });
  }

  function serverUrl() {
    var allowed = allowedServers();
    var given = (new URLSearchParams(window.location.search).get("server") || "").replace(/\/$/, "");
    if (given && allowed.indexOf(given) !== -1) {
      return given;
    }
    return allowed.length ? allowed[0] : window.location.origin;
  }

  function setConnection(text, state) {
    var status = byId("connection");
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function setNotice(text) {
    byId("notice").textContent = text;
  }

  // --- a conversation deleted in the last page load is gone from this page too -----------------------

  if (storageGet("sessionStorage", DELETED_FLAG) === "1") {
    storageSet("sessionStorage", WIDGET_STORE, null);
    storageSet("sessionStorage", DELETED_FLAG, null);
    setNotice("Your conversation was deleted from Backline's server and from this page. This is a new conversation.");
  }

  function forgetConversation() {
    storageSet("sessionStorage", DELETED_FLAG, "1");
    storageSet("sessionStorage", WIDGET_STORE, null);
    window.location.reload();
  }

  // --- text size ---------------------------------------------------------------------------------------

  var sizeControl = byId("text-size");

  function applyTextSize(size) {
    var chosen = TEXT_SIZES.indexOf(size) === -1 ? "normal" : size;
    if (chosen === "normal") {
      document.documentElement.removeAttribute("data-text-size");
    } else {
      document.documentElement.setAttribute("data-text-size", chosen);
    }
    sizeControl.value = chosen;
  }

  applyTextSize(storageGet("localStorage", TEXT_SIZE_KEY));
  sizeControl.addEventListener("change", function () {
    applyTextSize(sizeControl.value);
    storageSet("localStorage", TEXT_SIZE_KEY, sizeControl.value);
  });

  // --- the page's own additions to the widget's DOM -------------------------------------------------

  var container = byId("webchat");

  var sourceIds = {};
  each(document.querySelectorAll("#sources [data-source-title]"), function (item) {
    sourceIds[item.getAttribute("data-source-title")] = item.id;
  });

  function messageText(message) {
    var markdown = message.querySelector(".rw-markdown");
    return ((markdown || message).textContent || "").trim();
  }

  // Numbers to call become tel: links. The widget's own text node stays in place (it keeps the text before
  // the first number); the links and the rest are inserted after it.
  function linkPhoneNumbers(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
    }
    nodes.forEach(function (node) {
      if (!node.parentNode || node.parentNode.closest("a, button, [role=button], .bl-visually-hidden")) {
        return;
      }
      var text = node.nodeValue;
      var pattern = new RegExp(PHONE_NUMBER, "g");
      var parts = [];
      var last = 0;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        var start = match.index + match[1].length;
        parts.push(document.createTextNode(text.slice(last, start)));
        var link = document.createElement("a");
        link.href = "tel:" + match[2].replace(/\s/g, "");
        link.textContent = match[2];
        parts.push(link);
        last = start + match[2].length;
      }
      if (!parts.length) {
        return;
      }
      parts.push(document.createTextNode(text.slice(last)));
      node.nodeValue = parts.shift().nodeValue;
      var after = node.nextSibling;
      parts.forEach(function (part) {
        node.parentNode.insertBefore(part, after);
      });
    });
  }

  function clearEscalation() {
    var box = byId("escalation");
    box.textContent = "";
    box.classList.remove("is-active");
  }

  function markEscalation(message, text) {
    message.classList.add("bl-escalation");
    var label = document.createElement("span");
    label.className = "bl-visually-hidden";
    label.textContent = "Urgent: ";
    message.insertBefore(label, message.firstChild);

    var box = byId("escalation");
    box.textContent = "";
    var heading = document.createElement("strong");
    heading.textContent = "Seek care now.";
    var detail = document.createElement("span");
    // The box says the why in one sentence and the numbers once: the bot's own bubble (one block since the
    // turn is one thing at a time) has the whole advice, with what to tell them.
    var why = text.slice(ESCALATION_PREFIX.length).trim().split(/(?<=\.)\s/)[0];
    detail.textContent = " " + why +
      " Call your local emergency number (999 in the UK, 911 in the US, 112 in Europe) or go to the emergency department (A&E / ER).";
    box.appendChild(heading);
    box.appendChild(detail);
    linkPhoneNumbers(box);
    box.classList.add("is-active");
    if (box.scrollIntoView) {
      box.scrollIntoView({ block: "nearest" });
    }
  }

  function linkSources(message, text) {
    var line = document.createElement("p");
    line.className = "bl-sources";
    line.appendChild(document.createTextNode(SOURCES_PREFIX));
    text.slice(SOURCES_PREFIX.length).split("; ").forEach(function (title, index) {
      if (index > 0) {
        line.appendChild(document.createTextNode("; "));
      }
      var id = sourceIds[title.trim()];
      var part = document.createElement(id ? "a" : "span");
      if (id) {
        part.href = "#" + id;
      }
      part.textContent = title.trim();
      line.appendChild(part);
    });
    var holder = message.querySelector(".rw-message-text") || message;
    holder.classList.add("bl-linked");
    holder.appendChild(line);
  }

  function neutraliseLinks(root) {
    each(root.querySelectorAll("a[href]"), function (link) {
      if (!SAFE_LINK.test(link.getAttribute("href").trim())) {
        link.removeAttribute("href");
        link.setAttribute("data-blocked-link", "true");
      }
    });
  }

  function enhanceBotMessage(message) {
    if (message.getAttribute("data-bl-seen")) {
      return;
    }
    message.setAttribute("data-bl-seen", "true");
    var text = messageText(message);
    var lower = text.toLowerCase();
    if (lower.indexOf(DELETED_PREFIX) === 0) {
      forgetConversation();
      return;
    }
    if (lower.indexOf(ESCALATION_PREFIX) === 0) {
      markEscalation(message, text);
    } else if (text.indexOf(SOURCES_PREFIX) === 0) {
      linkSources(message, text);
    }
    linkPhoneNumbers(message);
  }

  // --- the diary chart: a text alternative, and a larger view -------------------------------------------

  var chartOpener = null;

  // The diary summary is the bot's text message just before the chart (actions/diary.py sends them together).
  function summaryBefore(image) {
    var messages = container.querySelectorAll(".rw-message");
    var own = image.closest(".rw-message");
    var found = "";
    for (var i = 0; i < messages.length && messages[i] !== own; i += 1) {
      var response = messages[i].querySelector(".rw-response");
      if (response && !response.querySelector("img")) {
        found = messageText(response);
      }
    }
    return found;
  }

  function showChart(image, opener) {
    var dialog = byId("chart-dialog");
    var large = byId("chart-large");
    large.src = image.src;
    large.alt = image.alt;
    byId("chart-text").textContent = image.getAttribute("data-summary") || "";
    chartOpener = opener || image;
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    byId("chart-close").focus();
  }

  function closeChart() {
    var dialog = byId("chart-dialog");
    if (typeof dialog.close === "function") {
      dialog.close();
    } else {
      dialog.removeAttribute("open");
    }
  }

  byId("chart-close").addEventListener("click", closeChart);
  byId("chart-dialog").addEventListener("click", function (event) {
    if (event.target === event.currentTarget) {
      closeChart(); // a tap on the backdrop
    }
  });
  byId("chart-dialog").addEventListener("close", function () {
    if (chartOpener && document.contains(chartOpener)) {
      chartOpener.focus();
    }
  });

  function enhanceImage(image) {
    if (image.getAttribute("data-bl-seen")) {
      return;
    }
    image.setAttribute("data-bl-seen", "true");
    if ((image.getAttribute("src") || "").indexOf(CHART_ROUTE) === -1) {
      if (!image.hasAttribute("alt")) {
        image.setAttribute("alt", "");
      }
      return;
    }
    var summary = summaryBefore(image);
    image.classList.add("bl-chart");
    image.setAttribute("data-summary", summary);
    image.setAttribute("alt", "Pain diary chart. " + (summary || "The diary summary is in the message above."));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "tool bl-enlarge";
    button.textContent = "Enlarge the chart";
    button.addEventListener("click", function () {
      showChart(image, button);
    });
    image.addEventListener("click", function () {
      showChart(image, button);
    });
    var holder = image.closest(".rw-response") || image.parentNode;
    holder.appendChild(button);
    // The chart arrives after the widget scrolled to the newest message: keep the newest in view.
    image.addEventListener("load", function () {
      var log = conversationLog();
      if (log && !image.closest(".rw-message").nextElementSibling) {
        log.scrollTop = log.scrollHeight;
      }
    });
  }

  // --- answer buttons -----------------------------------------------------------------------------------

  function activateOnKey(event) {
    if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      event.currentTarget.click();
    }
  }

  function enhanceReply(reply) {
    if (reply.getAttribute("data-bl-seen") || reply.tagName === "A" || reply.tagName === "BUTTON") {
      return;
    }
    reply.setAttribute("data-bl-seen", "true");
    reply.setAttribute("role", "button");
    reply.setAttribute("tabindex", "0");
    reply.addEventListener("keydown", activateOnKey);
  }

  function messageBox() {
    return container.querySelector(".rw-new-message");
  }

  function conversationLog() {
    return container.querySelector(".rw-messages-container");
  }

  // The widget removes the answer buttons once one is chosen, and focus would fall to the page's body.
  var lastPointer = "mouse";
  container.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType || "mouse";
  }, true);
  container.addEventListener("keydown", function () {
    lastPointer = "keyboard";
  }, true);

  function keepFocusInConversation(touch) {
    window.setTimeout(function () {
      var target = touch ? conversationLog() : messageBox();
      if (target) {
        target.focus({ preventScroll: touch });
      }
    }, 0);
  }

  function setOnce(element, name, value) {
    if (element && !element.hasAttribute(name)) {
      element.setAttribute(name, value);
    }
  }

  var focusReleased = false;

  function enhance(root) {
    var log = root.querySelector(".rw-messages-container");
    setOnce(log, "role", "log");
    setOnce(log, "aria-live", "polite");
    setOnce(log, "aria-label", "Conversation with Backline");
    setOnce(log, "tabindex", "0");
    var input = root.querySelector(".rw-new-message");
    setOnce(input, "aria-label", "Your message to Backline");
    setOnce(input, "aria-describedby", "chat-help");
    setOnce(root.querySelector(".rw-send"), "aria-label", "Send");
    setOnce(root.querySelector(".rw-sender"), "aria-label", "Write a message");
    // The widget focuses its message box on load, which would skip everything above it for keyboard
    // and screen-reader users; the page starts at the top instead ("Skip to the chat" goes there).
    if (input && !focusReleased) {
      focusReleased = true;
      if (document.activeElement === input) {
        input.blur();
      }
    }
    each(root.querySelectorAll(".rw-replies"), function (group) {
      setOnce(group, "role", "group");
      setOnce(group, "aria-label", "Answer options");
    });
    each(root.querySelectorAll(".rw-reply"), enhanceReply);
    each(root.querySelectorAll(".rw-response"), enhanceBotMessage);
    each(root.querySelectorAll(".rw-messages-container img"), enhanceImage);
    neutraliseLinks(log || root);
  }

  // "Skip to the chat" lands in the message box.
  var skip = document.querySelector(".skip-link");
  if (skip) {
    skip.addEventListener("click", function (event) {
      var input = messageBox();
      if (input) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  new MutationObserver(function () {
    enhance(container);
  }).observe(container, { childList: true, subtree: true, attributes: true, attributeFilter: ["href", "src"] });
  container.addEventListener("click", function (event) {
    var target = event.target;
    // An unsafe link target is never followed, even if it was changed between two observations.
    var link = target.closest && target.closest("a");
    if (link && link.hasAttribute("href") && !SAFE_LINK.test(link.getAttribute("href").trim())) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (target.closest && target.closest(".rw-reply")) {
      keepFocusInConversation(lastPointer === "touch");
    }
  }, true);

  // --- keeping a copy: download and print -----------------------------------------------------------

  function today() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function copyHeading(verb) {
    return "Backline conversation, " + verb + " on " + new Date().toLocaleString() + ". Backline gives " +
      "information, not a diagnosis. In an emergency call 999 (UK), 911 (US) or 112 (Europe).";
  }

  // The conversation as text, in order: who said it, then what was said (answer buttons left out).
  function transcriptText() {
    var parts = [];
    each(container.querySelectorAll(".rw-messages-container .rw-response, .rw-messages-container .rw-client"),
      function (message) {
        var image = message.querySelector("img.bl-chart");
        var said = image ? "[" + image.alt + "]" : (message.innerText || message.textContent || "").trim();
        said = said.replace(/^Urgent:\s*/, "").replace(/\n?Enlarge the chart$/, "").trim();
        if (said) {
          parts.push((message.classList.contains("rw-client") ? "You: " : "Backline: ") + said);
        }
      });
    return parts;
  }

  function download() {
    var parts = transcriptText();
    if (!parts.length) {
      setNotice("There is nothing to download yet.");
      return;
    }
    var text = copyHeading("saved") + "\n\n" + parts.join("\n\n") + "\n";
    var url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = "backline-conversation-" + today() + ".txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    setNotice("The conversation was saved to your device as " + link.download + ".");
  }

  function print() {
    byId("print-heading").textContent = copyHeading("printed");
    window.print();
  }

  byId("download-conversation").addEventListener("click", download);
  byId("print-conversation").addEventListener("click", print);

  // --- start the widget ---------------------------------------------------------------------------

  var widget = null;

  function send(command) {
    if (!widget || typeof widget.sendMessage !== "function") {
      setNotice("The chat is not connected yet; please try again in a moment.");
      return false;
    }
    widget.sendMessage(command.payload, command.text);
    return true;
  }

  byId("start-over").addEventListener("click", function () {
    if (send(COMMANDS.startOver)) {
      clearEscalation();
      setNotice("");
      keepFocusInConversation(false);
    }
  });
  byId("delete-conversation").addEventListener("click", function () {
    if (send(COMMANDS.remove)) {
      keepFocusInConversation(false);
    }
  });

  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    setConnection("The chat could not load. Run `make install`, then reload this page.", "error");
    return;
  }

  window.WebChat.default({
    socketUrl: serverUrl(),
    socketPath: "/socket.io/",
    initPayload: "/greet",
    embedded: true,
    title: "Backline",
    subtitle: "Back pain help for ALS and MS caregivers",
    inputTextFieldHint: "Describe what you see…",
    hideWhenNotConnected: false,
    showMessageDate: false,
    showCloseButton: false,
    customMessageDelay: function () { return 250; },
    params: { storage: "session" },
    // The widget's handle: sendMessage(payload, text) sends a command and shows `text` as the caregiver's.
    innerRef: function (ref) {
      if (ref) {
        widget = ref;
      }
    },
    onSocketEvent: {
      connect: function () { setConnection("Connected.", "connected"); },
      disconnect: function () { setConnection("Connection lost; trying again…", "lost"); },
      connect_error: function () {
        setConnection("Can't reach Backline's server at " + serverUrl() + ". Is `make run` running?", "error");
      }
    }
  }, container);
})();
